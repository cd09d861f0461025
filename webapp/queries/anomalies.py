"""Spend anomaly episodes of one organisation, newest first (the organisation page's list)."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import SpendAnomaly, User

SHOWN = 20


def recent_episodes(organization_id: int, *, limit: int = SHOWN) -> list[tuple[SpendAnomaly, str | None]]:
    """(episode, the email of whoever marked it): open episodes first, then the latest by their last
    anomalous day (the whole organisation before its services on the same day)."""
    query = (
        select(SpendAnomaly, User.email)
        .outerjoin(User, User.id == SpendAnomaly.marked_by_id)
        .where(SpendAnomaly.organization_id == organization_id)
        .order_by(
            (SpendAnomaly.status == "open").desc(),
            SpendAnomaly.last_day.desc(),
            SpendAnomaly.scope,
            SpendAnomaly.id,
        )
        .limit(limit)
    )
    return [(episode, email) for episode, email in db.session.execute(query)]


def episode_of(organization_id: int, episode_id: int) -> SpendAnomaly | None:
    episode = db.session.get(SpendAnomaly, episode_id)
    return episode if episode is not None and episode.organization_id == organization_id else None
