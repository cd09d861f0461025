"""Admin changes to API clients: create (secret shown once) and revoke, audited."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ApiClient
from webapp.services import audit
from webapp.services.api_clients import NewClient, clean_client_name, create_client, revoke_client
from webapp.services.collection import lock_organization
from webapp.services.errors import ValidationError


def add_client(*, organization_id: int, name: str) -> NewClient:
    """Create and commit; an active client of the same name for the organisation (a double submit) is refused."""
    name = clean_client_name(name)
    lock_organization(organization_id, "api_clients")  # concurrent submits wait, then see the first one
    clash = db.session.scalar(
        select(ApiClient.client_id).where(
            ApiClient.organization_id == organization_id,
            ApiClient.name == name,
            ApiClient.revoked_at.is_(None),
        )
    )
    if clash is not None:
        raise ValidationError("name", f"This organisation already has an active client named {name!r}.")
    new = create_client(organization_id=organization_id, name=name)
    audit.record(
        "api_client_created",
        f"api client {new.client.client_id}",
        {"organization_id": organization_id, "name": new.client.name},
    )
    db.session.commit()
    return new


def revoke(client_id: str) -> bool:
    """Revoke (idempotent: a second revoke changes and records nothing); True if it was active."""
    client = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    if client is None or client.revoked_at is not None:
        return False
    revoke_client(client_id)
    audit.record("api_client_revoked", f"api client {client_id}", {"organization_id": client.organization_id})
    db.session.commit()
    return True
