"""API clients: create (secret shown once, stored as a hash), revoke, authenticate — validated and audited.

Used by the admin pages and `flask api-clients` alike; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Exists, Select, select

from webapp.extensions import db
from webapp.models import ApiClient, Organization
from webapp.models.types import utcnow
from webapp.services import audit
from webapp.services.errors import ValidationError
from webapp.services.names import clean_name

CLIENT_ID_PREFIX = "adc_"
HASH_SCHEME = "sha256$"
# The secret is 256 random bits, so a fast hash cannot be brute-forced; argon2 would
# only slow down every token request.
_DUMMY_HASH = HASH_SCHEME + hashlib.sha256(b"no such client").hexdigest()


@dataclass(frozen=True, slots=True)
class NewClient:
    client: ApiClient
    secret: str  # shown to the caller once, never stored


def hash_secret(secret: str) -> str:
    return HASH_SCHEME + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _matches(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored.encode(), hash_secret(secret).encode())


def create_client(*, organization_id: int, name: str) -> NewClient:
    """Add and audit a client bound to one organisation. An active client of the same name for the
    organisation (a double submit) is refused; concurrent creates wait on the organisation's row."""
    name = clean_name(name, label="Client name")
    locked = select(Organization.id).where(Organization.id == organization_id).with_for_update(key_share=True)
    if db.session.scalar(locked) is None:
        raise ValidationError("org", f"No organisation with id {organization_id}.")
    clash = select(ApiClient.client_id).where(
        ApiClient.organization_id == organization_id, ApiClient.name == name, ApiClient.revoked_at.is_(None)
    )
    if db.session.scalar(clash) is not None:
        raise ValidationError("name", f"This organisation already has an active client named {name!r}.")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(16),
        secret_hash=hash_secret(secret),
        organization_id=organization_id,
        name=name,
    )
    db.session.add(client)
    audit.record(
        "api_client_created", f"api client {client.client_id}", {"organization_id": organization_id, "name": name}
    )
    db.session.flush()
    return NewClient(client, secret)


def revoke_client(client_id: str) -> ApiClient:
    """Mark a client revoked, audited; its outstanding tokens fail from now on. Idempotent: revoking
    a revoked client changes and records nothing."""
    client = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    if client is None:
        raise ValidationError("client_id", f"No API client with id {client_id!r}.")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        audit.record("api_client_revoked", f"api client {client_id}", {"organization_id": client.organization_id})
        db.session.flush()
    return client


def authenticate_client(client_id: str, secret: str) -> ApiClient | None:
    """The active client of an active organisation with this id and secret, or None (same work either way)."""
    row = db.session.execute(
        select(ApiClient, Organization.active)
        .join(Organization, Organization.id == ApiClient.organization_id)
        .where(ApiClient.client_id == client_id)
    ).first()
    client, organization_active = row if row is not None else (None, False)
    stored = client.secret_hash if client is not None else _DUMMY_HASH
    if not _matches(stored, secret) or client is None or client.revoked_at is not None or not organization_active:
        return None
    return client


def _active_client_stmt(client_id: str, organization_id: int) -> Select:
    return (
        select(ApiClient)
        .join(Organization, Organization.id == ApiClient.organization_id)
        .where(
            ApiClient.client_id == client_id,
            ApiClient.organization_id == organization_id,
            ApiClient.revoked_at.is_(None),
            Organization.active.is_(True),  # a deactivated organisation's tokens stop working at once
        )
    )


def active_client_for_token(client_id: str, organization_id: int) -> ApiClient | None:
    """The client a token names, if it is not revoked and still bound to an existing, active organisation."""
    return db.session.scalar(_active_client_stmt(client_id, organization_id))


def active_client_exists(client_id: str, organization_id: int) -> Exists:
    """The same condition as `active_client_for_token`, as SQL to fold into a read of the organisation's data."""
    return _active_client_stmt(client_id, organization_id).exists()
