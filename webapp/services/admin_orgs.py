"""Admin changes to organisations: create and edit (never delete: their snapshots are kept), audited."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Organization
from webapp.services import audit
from webapp.services.errors import ValidationError
from webapp.services.organizations import clean_name, clean_provider_ref, clean_threshold, create_organization


def add_organization(*, name: str, provider_ref: str, threshold: str | None, active: bool = True) -> Organization:
    """Create, audit and commit; a second identical submit is refused by the unique provider reference."""
    organization = create_organization(name=name, provider_ref=provider_ref, low_balance_threshold=threshold)
    organization.active = active
    db.session.flush()
    audit.record("organization_created", _label(organization), _snapshot(organization))
    db.session.commit()
    return organization


def update_organization(
    organization: Organization, *, name: str, provider_ref: str, threshold: str | None, active: bool
) -> dict[str, list[str | None]]:
    """Apply the edits that differ; returns {field: [old, new]} (empty: nothing changed, nothing recorded)."""
    wanted = {
        "name": clean_name(name),
        "provider_account_ref": clean_provider_ref(provider_ref),
        "low_balance_threshold": clean_threshold(threshold),
        "active": bool(active),
    }
    _refuse_duplicate_ref(organization.id, wanted["provider_account_ref"])
    changes = {
        key: [_text(getattr(organization, key)), _text(value)]
        for key, value in wanted.items()
        if getattr(organization, key) != value
    }
    if not changes:
        return changes
    for key, value in wanted.items():
        setattr(organization, key, value)
    audit.record("organization_changed", _label(organization), {"changes": changes})
    db.session.commit()
    return changes


def _refuse_duplicate_ref(organization_id: int, ref: str) -> None:
    other = db.session.scalar(
        select(Organization.id).where(Organization.provider_account_ref == ref, Organization.id != organization_id)
    )
    if other is not None:
        raise ValidationError("provider_ref", f"Provider reference {ref!r} already belongs to organisation {other}.")


def _label(organization: Organization) -> str:
    return f"organization {organization.id} ({organization.name})"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _snapshot(organization: Organization) -> dict[str, str | None]:
    return {
        "name": organization.name,
        "provider_account_ref": organization.provider_account_ref,
        "low_balance_threshold": _text(organization.low_balance_threshold),
        "active": _text(organization.active),
    }
