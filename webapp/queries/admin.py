"""Read side of the admin pages: organisations, users with their portfolios, API clients. Never commits."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ApiClient, Organization, User, user_organizations


def organizations() -> list[Organization]:
    """Every organisation, active first, then by name."""
    return list(db.session.scalars(select(Organization).order_by(Organization.active.desc(), Organization.name)))


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.role, User.email)))


def assignment_counts() -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for user_id in db.session.scalars(select(user_organizations.c.user_id)):
        counts[user_id] += 1
    return counts


def clients_with_organizations(organization_id: int | None = None) -> list[tuple[ApiClient, Organization]]:
    statement = (
        select(ApiClient, Organization)
        .join(Organization, Organization.id == ApiClient.organization_id)
        .order_by(ApiClient.revoked_at.is_not(None), Organization.name, ApiClient.created_at.desc())
    )
    if organization_id is not None:
        statement = statement.where(ApiClient.organization_id == organization_id)
    return [(client, org) for client, org in db.session.execute(statement)]
