"""Organisations: every one (admin), or those a user may see. Never commits."""

from __future__ import annotations

from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.models import Organization, User, user_organizations


def organizations() -> list[Organization]:
    """Every organisation, active first, then by name."""
    return list(db.session.scalars(select(Organization).order_by(Organization.active.desc(), Organization.name)))


def visible_organizations_stmt(user: User) -> Select[Organization]:
    """Admins see every organisation; managers only those assigned to them."""
    statement = select(Organization)
    if not user.is_admin:
        statement = statement.join(user_organizations, user_organizations.c.organization_id == Organization.id).where(
            user_organizations.c.user_id == user.id
        )
    return statement


def visible_organization(user: User, organization_id: int) -> Organization | None:
    """The organisation if this user may see it; None (→ 404) otherwise, guessed ids included."""
    return db.session.scalar(visible_organizations_stmt(user).where(Organization.id == organization_id))
