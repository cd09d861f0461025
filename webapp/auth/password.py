"""A password the user must change at first sign-in (set by an admin): nothing else opens until it is changed."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.auth.blueprint import bp
from webapp.extensions import db, limiter
from webapp.models.user import hash_token
from webapp.services import audit
from webapp.services.users import MIN_PASSWORD, end_login_sessions
from webapp.web.htmx import redirect_to

ALLOWED_ENDPOINTS = {"auth.change_password", "auth.logout", "auth.login", "static", "favicon"}
THROTTLED = "Too many attempts. Wait a minute, then try again."


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)])
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("new", "The two entries differ.")])


@bp.before_app_request
def require_password_change() -> Response | None:
    """Until the admin-set password is replaced, every page (and htmx request) leads to the change form."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in ALLOWED_ENDPOINTS or request.path.startswith("/api/"):
        return None
    return redirect_to(url_for("auth.change_password"))


def _user_key() -> str:
    # Limits are checked before login_required runs, so an anonymous request falls back to its address.
    user_id = getattr(current_user, "id", None)
    return f"password-user:{user_id}" if user_id is not None else f"password-anonymous:{get_remote_address()}"


def _not_changed(response: Response) -> bool:
    return response.status_code != 303  # success always redirects


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"], key_func=_user_key, deduct_when=_not_changed, scope="password-user")
@limiter.limit(_limit, methods=["POST"], key_func=get_remote_address, deduct_when=_not_changed, scope="password-addr")
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if not user.check_password(form.current.data):
            form.current.errors = [*form.current.errors, "That is not your current password."]
        elif form.new.data == form.current.data:
            form.new.errors = [*form.new.errors, "Choose a password different from the one you were given."]
        else:
            user.set_password(form.new.data)
            user.must_change_password = False
            # whoever else signed in with the old password is signed out now
            end_login_sessions(user.id, except_token_hash=hash_token(user.session_token))
            audit.record("password_changed", f"user {user.id} ({user.email})")
            db.session.commit()
            return redirect(url_for("dashboard.index"), code=303)
    status = 422 if form.errors else 200
    return render_template("pages/change_password.html", form=form), status


def throttled() -> tuple[str, int]:
    """The form again with a 429: the current-password check is throttled like sign-in."""
    return render_template("pages/change_password.html", form=ChangePasswordForm(), error=THROTTLED), 429
