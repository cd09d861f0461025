"""Organisations: every one (admin), or those a user may see. Never commits."""

from __future__ import annotations

from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.models import Organization, User, user_organizations
from webapp.queries.paging import Page, matching, page_of

PER_PAGE = 50


def organizations() -> list[Organization]:
    """Every organisation, active first, then by name."""
    return list(db.session.scalars(select(Organization).order_by(Organization.active.desc(), Organization.name)))


def organizations_matching(q: str = "") -> Select[Organization]:
    """Organisations whose name or provider reference contains `q` (any case), active first, then by name."""
    statement = select(Organization).order_by(Organization.active.desc(), Organization.name, Organization.id)
    return statement.where(matching(q, Organization.name, Organization.provider_account_ref)) if q else statement


def organization_page(*, q: str = "", page: int = 1, per_page: int = PER_PAGE) -> Page[Organization]:
    return page_of(organizations_matching(q), page, per_page)


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
