"""Organisations: create and edit (never delete: their snapshots are kept), validated and audited.

Used by the admin pages and `flask orgs` alike; the caller commits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from webapp.domain.money import check_amount, parse_amount
from webapp.extensions import db
from webapp.models import Organization
from webapp.services import audit
from webapp.services.errors import ValidationError
from webapp.services.names import clean_name

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


def clean_provider_ref(ref: str | None) -> str:
    ref = (ref or "").strip()
    if not REF_PATTERN.match(ref):
        raise ValidationError("provider_ref", "Provider reference must be 1–100 letters, digits or . _ : - characters.")
    return ref


def clean_threshold(raw: str | Decimal | None) -> Decimal | None:
    """None or "" is "no threshold"; text must be a plain ASCII decimal (SPEC §2: no exponent, underscores,
    whitespace or non-ASCII digits). Surrounding whitespace is refused here: the admin form trims what a
    person typed before calling, the CLI passes its argument as given."""
    if raw is None or raw == "":
        return None
    try:
        value = check_amount(raw) if isinstance(raw, Decimal) else parse_amount(raw, what="amount")
    except (ValueError, TypeError, ArithmeticError) as error:
        raise ValidationError("low_balance_threshold", f"Low-balance threshold: {error}") from None
    if value < 0:
        raise ValidationError("low_balance_threshold", "Low-balance threshold cannot be negative.")
    return value


def create_organization(
    *, name: str, provider_ref: str, low_balance_threshold: str | Decimal | None = None, active: bool = True
) -> Organization:
    """Validate, add and audit an organisation; a second identical submit is refused by the unique reference."""
    organization = Organization(
        name=clean_name(name),
        provider_account_ref=clean_provider_ref(provider_ref),
        low_balance_threshold=clean_threshold(low_balance_threshold),
        active=active,
    )
    _refuse_duplicate_ref(None, organization.provider_account_ref)
    db.session.add(organization)
    db.session.flush()
    audit.record("organization_created", _label(organization), _snapshot(organization))
    return organization


def update_organization(
    organization: Organization, *, name: str, provider_ref: str, threshold: str | None, active: bool
) -> dict[str, list[str | None]]:
    """Apply the edits that differ; returns {field: [old, new]} (empty: nothing changed, nothing recorded)."""
    ref = clean_provider_ref(provider_ref)
    wanted: dict[str, object] = {
        "name": clean_name(name),
        "provider_account_ref": ref,
        "low_balance_threshold": clean_threshold(threshold),
        "active": bool(active),
    }
    _refuse_duplicate_ref(organization.id, ref)
    changes = {
        key: [_text(getattr(organization, key)), _text(value)]
        for key, value in wanted.items()
        if getattr(organization, key) != value
    }
    if changes:
        for key, value in wanted.items():
            setattr(organization, key, value)
        audit.record("organization_changed", _label(organization), {"changes": changes})
    return changes


def _refuse_duplicate_ref(organization_id: int | None, ref: str) -> None:
    statement = select(Organization.id).where(Organization.provider_account_ref == ref)
    if organization_id is not None:
        statement = statement.where(Organization.id != organization_id)
    other = db.session.scalar(statement)
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
