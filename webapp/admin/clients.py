"""API clients: list (created, last used, revoked), create (secret shown once), revoke."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from webapp.admin.blueprint import bp
from webapp.admin.forms import ActionForm, ClientForm, commit_or_field_error
from webapp.extensions import db
from webapp.models import Organization
from webapp.queries.api_clients import client_by_id, clients_with_organizations
from webapp.queries.organizations import organizations
from webapp.services.api_clients import NewClient, create_client, revoke_client
from webapp.web import params
from webapp.web.htmx import redirect_after_post
from webapp.web.notfound import found_or_404


def _client_form() -> ClientForm:
    form = ClientForm()
    form.organization_id.choices = [
        SelectChoice(org.id, org.name + ("" if org.active else " (inactive)")) for org in organizations()
    ]
    return form


@bp.route("/clients", methods=["GET", "POST"])
def clients_page() -> ResponseReturnValue:
    form = _client_form()
    if request.method == "GET" and (org_id := params.optional_int("org")) is not None:
        form.organization_id.data = org_id
    created: NewClient | None = None
    if form.validate_on_submit():
        created = commit_or_field_error(
            form,
            lambda: create_client(organization_id=form.organization_id.data, name=form.name.data),
            field_names={"org": "organization_id"},
        )
        if created is not None:
            form.name.data = ""
    response = render_template(
        "admin/clients.html",
        form=form,
        created=created,
        clients=clients_with_organizations(),
    )
    # The page may carry a secret once: keep it out of every cache.
    return response, 422 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.route("/clients/<client_id>/revoke", methods=["GET", "POST"])
def client_revoke(client_id: str) -> ResponseReturnValue:
    """GET asks for confirmation (a page of its own: works without JS); the POST from it revokes."""
    client = found_or_404(client_by_id(client_id), "There is no API client with that id.")
    form = ActionForm()
    if request.method == "GET":
        organization = db.session.get(Organization, client.organization_id)
        return render_template("admin/confirm_revoke.html", client=client, organization=organization, form=form)
    if form.validate_on_submit():
        was_active = client.revoked_at is None
        revoke_client(client_id)
        db.session.commit()
        flash("Client revoked: its tokens no longer work." if was_active else "Already revoked.")
    return redirect_after_post(url_for("admin.clients_page"))
