"""Read side for collection freshness and run history. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.models import CollectionOutcome, CollectionRun, CollectionState

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Freshness:
    """One organisation's collection health across both kinds."""

    organization_id: int
    last_balance_check_at: datetime | None
    last_cost_collection_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_error_kind: str | None
    consecutive_failures: int  # the worse of the two kinds' current streaks


def freshness(organization_id: int) -> Freshness:
    states = {
        s.kind: s
        for s in db.session.scalars(select(CollectionState).where(CollectionState.organization_id == organization_id))
    }
    balances, costs = states.get("balances"), states.get("costs")
    errored = [s for s in states.values() if s.last_error_at is not None]
    latest_error = max(errored, key=lambda s: s.last_error_at or _NEVER, default=None)
    return Freshness(
        organization_id=organization_id,
        last_balance_check_at=balances.last_success_at if balances else None,
        last_cost_collection_at=costs.last_success_at if costs else None,
        last_error=latest_error.last_error if latest_error else None,
        last_error_at=latest_error.last_error_at if latest_error else None,
        last_error_kind=latest_error.kind if latest_error else None,
        consecutive_failures=max((s.consecutive_failures or 0 for s in states.values()), default=0),
    )


def recent_runs_stmt(*, kind: str | None = None, limit: int = 50) -> Select:
    """Runs newest first: start, end (None while running or if its worker died) and outcome counts."""
    statement = select(CollectionRun).order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
    if kind is not None:
        statement = statement.where(CollectionRun.kind == kind)
    return statement.limit(limit)


def organization_outcomes_stmt(organization_id: int, *, limit: int = 50) -> Select:
    """What each run did for one organisation, newest first, with the failure reason."""
    return (
        select(CollectionOutcome)
        .where(CollectionOutcome.organization_id == organization_id)
        .order_by(CollectionOutcome.finished_at.desc(), CollectionOutcome.id.desc())
        .limit(limit)
    )
