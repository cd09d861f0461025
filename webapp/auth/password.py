"""A password the user must change at first sign-in (set by an admin): nothing else opens until it is changed."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.auth.blueprint import bp
from webapp.extensions import db
from webapp.models.user import hash_token
from webapp.services import audit
from webapp.services.users import MIN_PASSWORD, end_login_sessions

ALLOWED_ENDPOINTS = {"auth.change_password", "auth.logout", "auth.login", "static", "favicon"}


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
    target = url_for("auth.change_password")
    if request.headers.get("HX-Request") == "true":
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


@bp.route("/account/password", methods=["GET", "POST"])
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
