"""Sign-in and sign-out."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp.auth import password
from webapp.auth.blueprint import bp
from webapp.auth.forms import LoginForm
from webapp.auth.sessions import end_session, start_session
from webapp.extensions import db, limiter
from webapp.models import User
from webapp.models.user import burn_password_check
from webapp.services import audit

__all__ = ["bp", "password"]
FAILED = "Email or password is not correct."
THROTTLED = "Too many sign-in attempts. Wait a minute, then try again."


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or any(ch in target for ch in "\\\r\n\t\x00"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


def _failed(response) -> bool:
    return response.status_code != 302  # success always redirects


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed, scope="login-account")
@limiter.limit(_login_limit, methods=["POST"], key_func=get_remote_address, deduct_when=_failed, scope="login-address")
def login():
    next_path = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("dashboard.index"))
    form = LoginForm()
    error = FAILED if request.method == "POST" else None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None:
            burn_password_check()
        elif user.check_password(form.password.data) and user.active:  # same work for inactive accounts
            audit.record("sign_in", email, actor=user)
            start_session(user)  # commits the audit event with the new session
            return redirect(next_path or url_for("dashboard.index"))
        audit.record("sign_in_failed", email[:254], {"known_user": user is not None})
        db.session.commit()
    # A failed form sign-in is an ordinary page (200), not an HTTP-auth challenge;
    # the throttle counts it because no redirect happened.
    return render_template("pages/login.html", form=form, error=error, next_path=next_path)


@bp.errorhandler(429)
def throttled(_error):
    form = LoginForm()
    return render_template(
        "pages/login.html", form=form, error=THROTTLED, next_path=safe_next(request.values.get("next"))
    ), 429


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user._get_current_object())
    return redirect(url_for("auth.login"))
