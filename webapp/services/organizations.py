"""Creating and changing organisations."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from webapp.domain.money import parse_amount
from webapp.extensions import db
from webapp.models import Organization
from webapp.services.errors import ValidationError

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


def clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("name", "Name must be 1–200 characters.")
    if not name.isprintable():
        raise ValidationError("name", "Name must not contain control characters.")
    return name


def clean_provider_ref(ref: str | None) -> str:
    ref = (ref or "").strip()
    if not REF_PATTERN.match(ref):
        raise ValidationError("provider_ref", "Provider reference must be 1–100 letters, digits or . _ : - characters.")
    return ref


def clean_threshold(raw: str | Decimal | None) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = raw if isinstance(raw, Decimal) else parse_amount(raw)
    except (ValueError, TypeError, ArithmeticError) as error:
        raise ValidationError("low_balance_threshold", f"Low-balance threshold: {error}") from None
    if value < 0:
        raise ValidationError("low_balance_threshold", "Low-balance threshold cannot be negative.")
    return value


def create_organization(
    *, name: str, provider_ref: str, low_balance_threshold: str | Decimal | None = None
) -> Organization:
    """Validate and add an organisation; the caller commits."""
    organization = Organization(
        name=clean_name(name),
        provider_account_ref=clean_provider_ref(provider_ref),
        low_balance_threshold=clean_threshold(low_balance_threshold),
        active=True,
    )
    existing = db.session.scalar(
        select(Organization.id).where(Organization.provider_account_ref == organization.provider_account_ref)
    )
    if existing is not None:
        raise ValidationError(
            "provider_ref",
            f"Provider reference {organization.provider_account_ref!r} already belongs to organisation {existing}.",
        )
    db.session.add(organization)
    db.session.flush()
    return organization
