"""API clients as the admin pages and `flask api-clients list` show them. Never commits."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ApiClient, Organization


def list_clients(organization_id: int | None = None) -> list[ApiClient]:
    """Every client (or one organisation's), by organisation then age."""
    statement = select(ApiClient).order_by(ApiClient.organization_id, ApiClient.id)
    if organization_id is not None:
        statement = statement.where(ApiClient.organization_id == organization_id)
    return list(db.session.scalars(statement))


def client_by_id(client_id: str) -> ApiClient | None:
    return db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


def clients_with_organizations(organization_id: int | None = None) -> list[tuple[ApiClient, Organization]]:
    """Active clients first, then by organisation name and newest first."""
    statement = (
        select(ApiClient, Organization)
        .join(Organization, Organization.id == ApiClient.organization_id)
        .order_by(ApiClient.revoked_at.is_not(None), Organization.name, ApiClient.created_at.desc())
    )
    if organization_id is not None:
        statement = statement.where(ApiClient.organization_id == organization_id)
    return [(client, org) for client, org in db.session.execute(statement)]
