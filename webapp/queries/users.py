"""Users as the admin pages list them. Never commits."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User, user_organizations


def users() -> list[User]:
    """Every user, active first, then by role and email."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.role, User.email)))


def assignment_counts() -> dict[int, int]:
    """How many organisations each user is assigned (users with none are absent)."""
    counts: dict[int, int] = defaultdict(int)
    for user_id in db.session.scalars(select(user_organizations.c.user_id)):
        counts[user_id] += 1
    return counts
