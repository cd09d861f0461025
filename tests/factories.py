"""Plain factory functions with keyword overrides."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from webapp.extensions import db
from webapp.models import BalanceSnapshot, Organization, User
from webapp.models.types import utcnow
from webapp.services.users import set_assignments

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_org(**overrides) -> Organization:
    n = next(_seq)
    values = {"name": f"Org {n}", "provider_account_ref": f"test-{n:05d}", "active": True}
    values.update(overrides)
    org = Organization(**values)
    db.session.add(org)
    db.session.flush()
    return org


def make_user(
    *,
    role: str = "manager",
    email: str | None = None,
    password: str = PASSWORD,
    organizations: list[Organization] = (),
    **overrides,
) -> User:
    values = {"email": email or f"user{next(_seq)}@example.com", "role": role, "active": True, **overrides}
    user = User(**values)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if organizations:
        set_assignments(user.id, {org.id for org in organizations})
    return user


def make_balance(
    org: Organization, amount: str, *, currency: str = "EUR", at: datetime | None = None
) -> BalanceSnapshot:
    row = BalanceSnapshot(
        organization_id=org.id, amount=Decimal(amount), currency=currency, collected_at=at or utcnow()
    )
    db.session.add(row)
    db.session.flush()
    return row
