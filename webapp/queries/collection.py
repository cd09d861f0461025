"""Read side for collection freshness and run history. Never commits."""

from __future__ import annotations

from sqlalchemy import Select, select

from webapp.models import CollectionRun


def recent_runs_stmt(*, kind: str | None = None, limit: int = 50) -> Select:
    """Runs newest first: start, end (None while running or if its worker died) and outcome counts."""
    statement = select(CollectionRun).order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
    if kind is not None:
        statement = statement.where(CollectionRun.kind == kind)
    return statement.limit(limit)
