"""Users as the admin pages list them. Never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User, user_organizations
from webapp.queries.paging import Page, matching, page_of

PER_PAGE = 50


def users() -> list[User]:
    """Every user, active first, then by role and email."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.role, User.email)))


def user_page(*, q: str = "", page: int = 1, per_page: int = PER_PAGE) -> Page[User]:
    """Users whose email contains `q` (any case), active first, then by role and email."""
    statement = select(User).order_by(User.active.desc(), User.role, User.email, User.id)
    return page_of(statement.where(matching(q, User.email)) if q else statement, page, per_page)


def assignment_counts(user_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many organisations each user (of `user_ids`, default all) is assigned; users with none are absent."""
    statement = select(user_organizations.c.user_id)
    if user_ids is not None:
        statement = statement.where(user_organizations.c.user_id.in_(list(user_ids)))
    counts: dict[int, int] = defaultdict(int)
    for user_id in db.session.scalars(statement):
        counts[user_id] += 1
    return counts
