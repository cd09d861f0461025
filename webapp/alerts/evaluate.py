"""Evaluating an organisation's alert rules and recording what changed (SPEC §10).

Called by the collection write path right after the read model changed (same transaction, under the
organisation's lock) and by the scheduled evaluation for time-driven rules (stale), which takes the
same lock. Only a transition writes: the rule's state row is updated in place and one event appended;
the event insert ignores a duplicate of the same transition (the unique constraint), so retries,
duplicate jobs and two schedulers can never make a second one. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from webapp.alerts.notify import notify
from webapp.alerts.settings import default_settings, with_overrides
from webapp.domain.alerts import AlertSettings, Level, Reading, Rule, Transition, evaluate
from webapp.domain.freshness import is_stale
from webapp.domain.money import format_amount
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary, SpendAnomaly
from webapp.models.alerts import AlertEvent, AlertOverride, AlertState
from webapp.models.collection import lock_organization
from webapp.services.exports import iso_utc

_events = AlertEvent.__table__
NO_DEPLETION = ("no_spend", "beyond_horizon")  # read_model.forecast.STATUSES that mean "never runs out"


@dataclass(frozen=True)
class Change:
    """One transition made by an evaluation (what `flask alerts evaluate` prints, what notifications send)."""

    organization_id: int
    rule: Rule
    kind: Transition
    level: Level
    episode: int
    occurred_at: datetime
    figures: Mapping[str, Any]
    event_id: int | None  # None when another evaluation had already recorded this transition


@dataclass(frozen=True)
class Summary:
    """The summary columns the rules read (one row of organization_summaries)."""

    balance_amount: Decimal | None
    balance_currency: str | None
    forecast_status: str | None
    runs_out_on: date | None
    checked_at: datetime | None
    failure_streak: int


@dataclass(frozen=True)
class Loaded:
    """Everything one evaluation reads, in one query: threshold, summary, overrides, current levels."""

    threshold: Decimal | None
    summary: Summary | None
    muted: list[str] | None
    runway_days: list[int] | None
    levels: dict[Rule, Level]
    anomaly_open: bool = False


_O, _S = Organization.__table__.c, OrganizationSummary.__table__.c
_V, _A = AlertOverride.__table__.c, AlertState.__table__.c
_SUMMARY_COLUMNS = (
    "balance_amount",
    "balance_currency",
    "forecast_status",
    "runs_out_on",
    "checked_at",
    "failure_streak",
)


def load(organization_id: int) -> Loaded | None:
    """One round trip: the organisation joined with its summary, overrides and alert states."""
    joined = (
        Organization.__table__.outerjoin(OrganizationSummary.__table__, _S.organization_id == _O.id)
        .outerjoin(AlertOverride.__table__, _V.organization_id == _O.id)
        .outerjoin(AlertState.__table__, _A.organization_id == _O.id)
    )
    columns = [_O.low_balance_threshold, _S.organization_id.label("summarized"), *(_S[n] for n in _SUMMARY_COLUMNS)]
    open_episode = (
        select(SpendAnomaly.id)
        .where(SpendAnomaly.organization_id == _O.id, SpendAnomaly.status == "open")
        .exists()
        .label("anomaly_open")
    )
    query = select(*columns, open_episode, _V.muted, _V.runway_days, _A.rule, _A.level).select_from(joined)
    rows = db.session.execute(query.where(_O.id == organization_id)).all()
    if not rows:
        return None
    first = rows[0]
    summary = Summary(*(getattr(first, n) for n in _SUMMARY_COLUMNS)) if first.summarized is not None else None
    levels = {Rule(row.rule): Level(row.level) for row in rows if row.rule is not None}
    return Loaded(
        first.low_balance_threshold, summary, first.muted, first.runway_days, levels, bool(first.anomaly_open)
    )


def reading_for(
    summary: Summary | None,
    threshold: Decimal | None,
    *,
    now: datetime,
    interval_hours: float,
    anomaly_open: bool = False,
) -> Reading:
    """What the rules see of one organisation, from its summary (read model), its threshold and whether
    a spend anomaly episode is open (webapp/read_model/anomalies.py)."""
    if summary is None:
        return Reading(threshold=threshold, stale=True, anomaly_open=anomaly_open)
    days, unknown = forecast_runway(summary, now=now)
    return Reading(
        balance=summary.balance_amount,
        threshold=threshold,
        runway_days=days,
        runway_unknown=unknown,
        stale=is_stale(summary.checked_at, now=now, interval_hours=interval_hours),
        failure_streak=summary.failure_streak,
        anomaly_open=anomaly_open,
    )


def forecast_runway(summary: Summary, *, now: datetime) -> tuple[Decimal | None, bool]:
    """(runway_days, runway_unknown) from the stored depletion forecast (read_model.forecast): the whole
    days from now's UTC day to the expected day the balance reaches zero (never below 0); None when no
    depletion is in sight (no spend, or beyond the forecast's horizon); unknown when the forecast could
    not be made (too little history, overdrawn: the overdrawn rule speaks for it, no balance, none yet),
    so the runway rule holds its state rather than guess."""
    if summary.forecast_status == "forecast" and summary.runs_out_on is not None:
        return Decimal(max(0, (summary.runs_out_on - now.astimezone(UTC).date()).days)), False
    if summary.forecast_status in NO_DEPLETION:
        return None, False
    return None, True


def figures_of(reading: Reading, summary: Summary | None) -> dict[str, Any]:
    """The figures an event carries (SPEC §2 formats: money as strings, times ISO 8601)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else format_amount(value)

    checked = summary.checked_at if summary is not None else None
    return {
        "balance": text(reading.balance),
        "currency": summary.balance_currency if summary is not None else None,
        "low_balance_threshold": text(reading.threshold),
        "runway_days": None
        if reading.runway_days is None or reading.runway_unknown
        else str(round(reading.runway_days, 1)),
        "checked_at": iso_utc(checked) if checked else None,
        "failure_streak": reading.failure_streak,
    }


def evaluate_organization(
    organization_id: int, *, now: datetime, interval_hours: float, settings: AlertSettings
) -> list[Change]:
    """Evaluate every rule of one organisation and record the transitions. The caller holds the
    organisation's lock (webapp.models.collection.lock_organization) and commits."""
    loaded = load(organization_id)
    if loaded is None:
        return []
    summary = loaded.summary
    reading = reading_for(
        summary, loaded.threshold, now=now, interval_hours=interval_hours, anomaly_open=loaded.anomaly_open
    )
    settings = with_overrides(settings, loaded.muted, loaded.runway_days)
    figures = figures_of(reading, summary)
    changes = []
    for rule, (level, kind) in evaluate(reading, loaded.levels, settings).items():
        state = db.session.get(AlertState, (organization_id, rule.value)) or _new_state(organization_id, rule)
        _apply(state, level, kind, now, figures)
        event_id = _append_event(state, kind, now, figures)
        changes.append(Change(organization_id, rule, kind, level, state.episode, now, figures, event_id))
    db.session.flush()
    return changes


def _new_state(organization_id: int, rule: Rule) -> AlertState:
    state = AlertState(organization_id=organization_id, rule=rule.value, level=0, episode=0, figures={})
    db.session.add(state)
    return state


def _apply(state: AlertState, level: Level, kind: Transition, now: datetime, figures: dict[str, Any]) -> None:
    if kind is Transition.TRIGGERED:
        state.episode = (state.episode or 0) + 1
        state.since = now
        state.acknowledged_at = state.acknowledged_by_id = state.snoozed_until = None
    if kind is Transition.ESCALATED:
        state.acknowledged_at = state.acknowledged_by_id = None  # worse news wants a new look
    state.level = int(level)
    state.changed_at = now
    state.figures = figures
    db.session.flush()


def _append_event(state: AlertState, kind: Transition, now: datetime, figures: dict[str, Any]) -> int | None:
    """Insert the transition's event unless it is already recorded; its id, or None for a duplicate."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(_events)
        .values(
            organization_id=state.organization_id,
            rule=state.rule,
            episode=state.episode,
            kind=kind.value,
            level=state.level,
            occurred_at=now,
            figures=figures,
        )
        .on_conflict_do_nothing(index_elements=["organization_id", "rule", "episode", "kind", "level"])
        .returning(_events.c.id)
    )
    return db.session.execute(statement).scalar_one_or_none()


def after_collection(organization_id: int, at: datetime, *, instant: bool = True) -> list[Change]:
    """The write path's call: evaluate right after the read model changed (the lock is held) and
    enqueue what the recorded transitions tell the outside, in the same transaction (notify.py).
    `instant=False` (demo replay: history, not news) records events and webhooks but sends no
    instant mail."""
    config = current_app.config
    changes = evaluate_organization(
        organization_id,
        now=at,
        interval_hours=config["COLLECT_INTERVAL_HOURS"],
        settings=default_settings(config),
    )
    notify(changes, instant=instant)
    return changes


def evaluate_now(organization_id: int, now: datetime) -> list[Change]:
    """A scheduled or on-demand evaluation (time-driven rules such as stale): takes the organisation's
    lock first, as the write path does, so it never interleaves with a collection."""
    lock_organization(organization_id, "organization")
    return after_collection(organization_id, now)
