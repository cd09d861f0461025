"""Sign-in and sign-out: the views, their throttling and their audit records."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp.auth import password
from webapp.auth.blueprint import bp
from webapp.auth.forms import LoginForm
from webapp.auth.known_device import is_known_device, remember_device
from webapp.auth.sessions import end_session, start_session
from webapp.extensions import db, limiter
from webapp.models import User
from webapp.models.user import burn_password_check
from webapp.services import audit

FAILED = "Email or password is not correct."
THROTTLED = "Too many sign-in attempts. Wait a minute, then try again."
NOT_AN_EMAIL = "(not an email address)"
# The WHATWG "valid email address" (what <input type=email> accepts), ASCII only: no markup, spaces or controls.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
WELL_FORMED_EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+")


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


def audited_email(typed: str) -> str:
    """What a failed sign-in's audit event names: the typed email if it is one, never arbitrary text."""
    return typed if len(typed) <= 254 and WELL_FORMED_EMAIL.fullmatch(typed) else NOT_AN_EMAIL


def _failed(response) -> bool:
    return response.status_code != 302  # success always redirects


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
    scope="login-account",
    exempt_when=is_known_device,  # the owner's browser is not locked out by strangers' guesses
)
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
            return remember_device(redirect(next_path or url_for("dashboard.index")), email)
        audit.record("sign_in_failed", audited_email(email), {"known_user": user is not None})
        db.session.commit()
    # A failed form sign-in is an ordinary page (200), not an HTTP-auth challenge;
    # the throttle counts it because no redirect happened.
    return render_template("pages/login.html", form=form, error=error, next_path=next_path)


@bp.errorhandler(429)
def throttled(_error):
    if request.endpoint == "auth.change_password":
        return password.throttled()
    form = LoginForm()
    return render_template(
        "pages/login.html", form=form, error=THROTTLED, next_path=safe_next(request.values.get("next"))
    ), 429


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user._get_current_object())
    return redirect(url_for("auth.login"))
