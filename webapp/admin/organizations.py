"""Organisations: list, create, edit (no delete)."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from webapp.admin.blueprint import bp
from webapp.admin.forms import OrganizationForm, commit_or_field_error
from webapp.extensions import db
from webapp.models import Organization
from webapp.queries import organizations as organization_queries
from webapp.queries.api_clients import clients_with_organizations
from webapp.services.organizations import create_organization, update_organization
from webapp.web import params
from webapp.web.htmx import redirect_after_post, render_page_or_partial
from webapp.web.notfound import found_or_404


def organization_or_404(org_id: int) -> Organization:
    return found_or_404(db.session.get(Organization, org_id), "There is no organisation with that number.")


def _plain(amount: Decimal | None) -> str:
    return "" if amount is None else format(amount.normalize(), "f")


def _form_data(org: Organization) -> dict:
    return {
        "name": org.name,
        "provider_ref": org.provider_account_ref,
        "low_balance_threshold": _plain(org.low_balance_threshold),
        "active": org.active,
    }


@bp.get("/")
def index() -> ResponseReturnValue:
    return redirect_after_post(url_for("admin.organizations_page"))


@bp.route("/organizations", methods=["GET", "POST"])
def organizations_page() -> ResponseReturnValue:
    form = OrganizationForm()
    if form.validate_on_submit():
        org = commit_or_field_error(
            form,
            lambda: create_organization(
                name=form.name.data,
                provider_ref=form.provider_ref.data,
                low_balance_threshold=form.low_balance_threshold.data,
                active=form.active.data,
            ),
        )
        if org is not None:
            flash(f"Organisation “{org.name}” created.")
            return redirect_after_post(url_for("admin.organization_page", org_id=org.id))
    q = params.search_text("q")
    listing = organization_queries.organization_page(q=q, page=params.positive_int("page", 1))
    if request.method == "GET":
        partial = "admin/partials/organizations_table.html"
        return render_page_or_partial("admin/organizations.html", partial, form=form, listing=listing, q=q)
    return render_template("admin/organizations.html", form=form, listing=listing, q=q), 422 if form.errors else 200


@bp.route("/organizations/<int:org_id>", methods=["GET", "POST"])
def organization_page(org_id: int) -> ResponseReturnValue:
    org = organization_or_404(org_id)
    form = OrganizationForm(data=_form_data(org))
    if form.validate_on_submit():
        changes = commit_or_field_error(
            form,
            lambda: update_organization(
                org,
                name=form.name.data,
                provider_ref=form.provider_ref.data,
                threshold=form.low_balance_threshold.data,
                active=form.active.data,
            ),
        )
        if changes is not None:
            flash("Saved." if changes else "Nothing to change.")
            return redirect_after_post(url_for("admin.organization_page", org_id=org.id))
    return render_organization(org_id, form=form, status=422 if form.errors else 200)


def render_organization(
    org_id: int, *, form: OrganizationForm | None = None, alerts_form: FlaskForm | None = None, status: int = 200
) -> ResponseReturnValue:
    """The organisation's admin page (edit form, alert settings, clients), with a refused form's errors."""
    from webapp.admin.alert_settings import alert_settings_form

    org = organization_or_404(org_id)  # reloaded: a refused edit was rolled back
    if form is None:
        form = OrganizationForm(formdata=None, data=_form_data(org))
    alerts_form = alerts_form or alert_settings_form(org)
    clients = clients_with_organizations(org.id)
    context = {"form": form, "org": org, "clients": clients, "alerts_form": alerts_form}
    return render_template("admin/organization.html", **context), status
