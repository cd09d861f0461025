"""Users: list, create (password shown once), role, assignments, deactivate/reactivate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from webapp.admin.blueprint import bp
from webapp.admin.forms import ActionForm, ActiveForm, AssignmentsForm, RoleForm, UserForm, commit_or_field_error
from webapp.extensions import db
from webapp.models import User
from webapp.queries import organizations as organization_queries
from webapp.queries import users as user_queries
from webapp.queries.users import assignment_counts
from webapp.services.errors import ValidationError
from webapp.services.users import (
    NewUser,
    assigned_organization_ids,
    change_assignments,
    change_role,
    invite_user,
    reset_password,
    set_active,
)
from webapp.web import params
from webapp.web.htmx import redirect_after_post, render_page_or_partial
from webapp.web.notfound import found_or_404


@bp.route("/users", methods=["GET", "POST"])
def users_page() -> ResponseReturnValue:
    form = UserForm()
    created: NewUser | None = None
    if form.validate_on_submit():
        created = commit_or_field_error(form, lambda: invite_user(email=form.email.data, role=form.role.data))
        if created is not None:
            form = UserForm(formdata=None)
    q = params.search_text("q")
    listing = user_queries.user_page(q=q, page=params.positive_int("page", 1))
    context = {"listing": listing, "q": q, "counts": assignment_counts(user.id for user in listing.rows)}
    if request.method == "GET" and created is None:
        return render_page_or_partial("admin/users.html", "admin/partials/users_table.html", form=form, **context)
    response = render_template("admin/users.html", form=form, created=created, **context)
    # The page carries a password once: keep it out of every cache.
    return response, 422 if form.errors else 200, {"Cache-Control": "no-store"}


def _user_or_404(user_id: int) -> User:
    return found_or_404(db.session.get(User, user_id), "There is no user with that number.")


def _render_user(user: User, status: int = 200, new_password: str | None = None, **forms: FlaskForm) -> tuple[str, int]:
    forms.setdefault("role_form", RoleForm(formdata=None, role=user.role))
    forms.setdefault("assignments_form", AssignmentsForm(formdata=None))
    forms.setdefault("active_form", ActiveForm(formdata=None))
    return render_template("admin/user.html", user=user, new_password=new_password, **_picker(user), **forms), status


def _picker(user: User) -> dict[str, Any]:
    """The assignment picker: organisations matching the server-side filter (without JS), assigned ones first;
    assigned ones filtered out travel as hidden fields, so saving a filtered list never unassigns them."""
    org_q = params.search_text("org_q")
    assigned = assigned_organization_ids(user.id)
    shown = list(db.session.scalars(organization_queries.organizations_matching(org_q)))
    shown.sort(key=lambda org: org.id not in assigned)  # stable: the name order stays within each group
    shown_ids = {org.id for org in shown}
    return {
        "organizations": shown,
        "assigned": assigned,
        "kept_assigned": sorted(assigned - shown_ids),
        "org_q": org_q,
    }


@bp.get("/users/<int:user_id>")
def user_page(user_id: int) -> ResponseReturnValue:
    return _render_user(_user_or_404(user_id))


def _apply(user_id: int, form: Any, action: Callable[[User, Any], bool], form_name: str) -> ResponseReturnValue:
    """Run `action(user, form)`; success redirects back (PRG), a refusal re-renders with the message."""
    user = _user_or_404(user_id)
    if not form.validate_on_submit():
        return _render_user(user, 422, **{form_name: form})
    changed = commit_or_field_error(form, lambda: action(user, form))
    if changed is None:
        return _render_user(_user_or_404(user_id), 422, **{form_name: form})
    flash("Saved." if changed else "Nothing to change.")
    return redirect_after_post(url_for("admin.user_page", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int) -> ResponseReturnValue:
    return _apply(user_id, RoleForm(), lambda user, form: change_role(user, form.role.data), "role_form")


@bp.post("/users/<int:user_id>/assignments")
def user_assignments(user_id: int) -> ResponseReturnValue:
    def assign(user: User, form: AssignmentsForm) -> bool:
        diff = change_assignments(user, set(form.organizations.data or []))
        return bool(diff["added"] or diff["removed"])

    return _apply(user_id, AssignmentsForm(), assign, "assignments_form")


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int) -> ResponseReturnValue:
    def toggle(user: User, form: ActiveForm) -> bool:
        if form.active.data not in ("0", "1"):
            raise ValidationError("active", "Choose to deactivate or reactivate.")
        return set_active(user, form.active.data == "1")

    return _apply(user_id, ActiveForm(), toggle, "active_form")


@bp.get("/users/<int:user_id>/deactivate")
def user_deactivate_confirm(user_id: int) -> ResponseReturnValue:
    """The confirmation step before deactivating (a page of its own: works without JS); it posts to user_active."""
    user = _user_or_404(user_id)
    return render_template("admin/confirm_deactivate.html", user=user, active_form=ActiveForm(formdata=None))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> ResponseReturnValue:
    """A new one-time password, shown once on the user's page (never cached)."""
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    password = reset_password(user)
    db.session.commit()
    page, status = _render_user(user, new_password=password)
    return page, status, {"Cache-Control": "no-store"}
