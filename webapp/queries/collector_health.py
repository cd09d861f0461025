"""Collector health for the admin page: recent runs per kind and organisations in trouble.

The read side only: the queue's view (the next slot due) comes from webapp.collection.queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from webapp.domain.freshness import stale_before
from webapp.extensions import db
from webapp.models import CollectionOutcome, CollectionRun, CollectionState, Organization
from webapp.models.collection import KINDS
from webapp.queries.collection import recent_runs_stmt


@dataclass(frozen=True, slots=True)
class Trouble:
    organization: Organization
    kind: str
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    stale: bool


def runs_by_kind(limit: int = 5) -> dict[str, list[CollectionRun]]:
    return {kind: list(db.session.scalars(recent_runs_stmt(kind=kind, limit=limit))) for kind in KINDS}


def stopped_runs(runs: Iterable[CollectionRun], now: datetime, quiet: timedelta) -> dict[int, datetime]:
    """The unfinished runs that can no longer be running, by id, with their last sign of life (the last
    organisation they recorded, else their start): nothing recorded for longer than `quiet` (one
    organisation's deadline, retries included), so their process ended without recording an end (killed,
    or the machine stopped). Decided at read time; the run rows stay as they were written."""
    unfinished = {run.id: run.started_at for run in runs if run.finished_at is None}
    if not unfinished:
        return {}
    latest = db.session.execute(
        select(CollectionOutcome.run_id, func.max(CollectionOutcome.finished_at))
        .where(CollectionOutcome.run_id.in_(unfinished))
        .group_by(CollectionOutcome.run_id)
    )
    last = {**unfinished, **{run_id: at for run_id, at in latest if at is not None}}
    return {run_id: at for run_id, at in last.items() if now - at > quiet}


def troubled(now: datetime, interval_hours: float) -> list[Trouble]:
    """Active organisations whose balances are stale, or whose latest attempt of a kind failed."""
    stale_at = stale_before(now, interval_hours)
    rows = db.session.execute(
        select(Organization, CollectionState)
        .outerjoin(
            CollectionState,
            (CollectionState.organization_id == Organization.id),
        )
        .where(
            Organization.active,
            or_(
                CollectionState.organization_id.is_(None),
                CollectionState.consecutive_failures > 0,
                (CollectionState.kind == "balances")
                & (CollectionState.last_success_at.is_(None) | (CollectionState.last_success_at < stale_at)),
            ),
        )
        .order_by(CollectionState.consecutive_failures.desc().nulls_first(), Organization.name)
    )
    return [_trouble(org, state, stale_at) for org, state in rows]


def _trouble(org: Organization, state: CollectionState | None, stale_at: datetime) -> Trouble:
    if state is None:
        return Trouble(org, "balances", None, None, None, 0, True)
    success = state.last_success_at
    return Trouble(
        organization=org,
        kind=state.kind,
        last_success_at=success,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        consecutive_failures=state.consecutive_failures or 0,
        stale=state.kind == "balances" and (success is None or success < stale_at),
    )
