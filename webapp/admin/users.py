"""Users: list, create (password shown once), role, assignments, deactivate/reactivate."""

from __future__ import annotations

from flask import abort, flash, render_template, url_for

from webapp.admin.blueprint import bp
from webapp.admin.forms import ActionForm, ActiveForm, AssignmentsForm, RoleForm, UserForm, field_error
from webapp.extensions import db
from webapp.models import User
from webapp.queries.admin import assignment_counts, organizations, users
from webapp.services.admin_users import add_user, change_assignments, change_role, reset_password, set_active
from webapp.services.errors import ValidationError
from webapp.services.users import assigned_organization_ids
from webapp.web.htmx import redirect_after_post


@bp.route("/users", methods=["GET", "POST"])
def users_page():
    form = UserForm()
    created = None
    if form.validate_on_submit():
        try:
            created = add_user(email=form.email.data, role=form.role.data)
        except ValidationError as error:
            db.session.rollback()
            field_error(form, error.field, error.message)
        else:
            form = UserForm(formdata=None)
    response = render_template(
        "admin/users.html", form=form, created=created, users=users(), counts=assignment_counts()
    )
    # The page carries a password once: keep it out of every cache.
    return response, 422 if form.errors else 200, {"Cache-Control": "no-store"}


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _render_user(user: User, status: int = 200, new_password: str | None = None, **forms):
    forms.setdefault("role_form", RoleForm(formdata=None, role=user.role))
    forms.setdefault("assignments_form", AssignmentsForm(formdata=None))
    forms.setdefault("active_form", ActiveForm(formdata=None))
    return render_template(
        "admin/user.html",
        user=user,
        organizations=organizations(),
        assigned=assigned_organization_ids(user.id),
        new_password=new_password,
        **forms,
    ), status


@bp.get("/users/<int:user_id>")
def user_page(user_id: int):
    return _render_user(_user_or_404(user_id))


def _apply(user_id: int, form, action, form_name: str):
    """Run `action(user, form)`; success redirects back (PRG), a refusal re-renders with the message."""
    user = _user_or_404(user_id)
    if not form.validate_on_submit():
        return _render_user(user, 422, **{form_name: form})
    try:
        changed = action(user, form)
    except ValidationError as error:
        db.session.rollback()
        field_error(form, error.field, error.message)
        return _render_user(_user_or_404(user_id), 422, **{form_name: form})
    flash("Saved." if changed else "Nothing to change.")
    return redirect_after_post(url_for("admin.user_page", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    return _apply(user_id, RoleForm(), lambda user, form: change_role(user, form.role.data), "role_form")


@bp.post("/users/<int:user_id>/assignments")
def user_assignments(user_id: int):
    def assign(user: User, form: AssignmentsForm) -> bool:
        diff = change_assignments(user, set(form.organizations.data or []))
        return bool(diff["added"] or diff["removed"])

    return _apply(user_id, AssignmentsForm(), assign, "assignments_form")


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    def toggle(user: User, form: ActiveForm) -> bool:
        if form.active.data not in ("0", "1"):
            raise ValidationError("active", "Choose to deactivate or reactivate.")
        return set_active(user, form.active.data == "1")

    return _apply(user_id, ActiveForm(), toggle, "active_form")


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    """A new one-time password, shown once on the user's page (never cached)."""
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page, status = _render_user(user, new_password=reset_password(user))
    return page, status, {"Cache-Control": "no-store"}
