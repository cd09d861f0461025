"""Keeping the spend anomaly episodes (SPEC §9) beside the daily figures, once per completed UTC day.

The write path's refresh() calls detect() after the daily rows changed. A day is complete once the
ledger has a later day; detection runs only when the newest daily row moved to a later day (so once per
organisation and day, not on every 3-hourly collection), over a bounded window: the last WINDOW_DAYS days,
reaching further back to cover every open episode. Episodes whose first day has a full baseline inside the
window are upserted by (organisation, scope, opened_on), so re-running never duplicates one and a manager's
mark survives; earlier episodes are final as stored. `flask summaries rebuild` re-detects over the whole
history (detect(..., whole=True)).

Operators: the daily figures' spend per operator (migration 0020) gives the organisation's episodes their
top operators by excess; days written before it have none until `flask summaries rebuild`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Table, delete, func, select, update

from webapp.domain.anomalies import AnomalyParams, Driver, Episode, UsageDay, find_all_episodes
from webapp.domain.money import format_amount
from webapp.extensions import db
from webapp.models import OrganizationDailyFigure, SpendAnomaly
from webapp.models.anomalies import ORGANIZATION_SCOPE

WINDOW_DAYS = 70
_DAILY = cast(Table, OrganizationDailyFigure.__table__)
_EPISODES = cast(Table, SpendAnomaly.__table__)


def detect(
    organization_id: int,
    *,
    previous_last_day: date | None,
    whole: bool = False,
    newest: date | None = None,
    rows: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Detect episodes through the last completed day when that day is new (or `whole`: everything).
    `newest`: the newest daily row when the caller knows it (the collection path), else it is read. `rows`:
    all the daily rows, as just written (a first bulk batch), so they are not read back."""
    if newest is None:
        newest = db.session.scalar(select(func.max(_DAILY.c.day)).where(_DAILY.c.organization_id == organization_id))
    if newest is None:
        return
    as_of = newest - timedelta(days=1)
    if not whole and previous_last_day is not None and newest <= previous_last_day:
        return  # no day completed since the last detection
    params = anomaly_params()
    start = None if whole or previous_last_day is None else _window_start(organization_id, as_of, params)
    days, currency = _usage_days(rows, as_of) if rows is not None else _usage(organization_id, start, as_of)
    trusted = None if start is None else start + timedelta(days=params.window_days)
    found = [e for e in find_all_episodes(days, as_of=as_of, params=params) if trusted is None or e.start >= trusted]
    _store(organization_id, found, currency, trusted)


def _window_start(organization_id: int, as_of: date, params: AnomalyParams) -> date:
    """WINDOW_DAYS back, further when an open episode began earlier (its baseline needs 28 days more)."""
    oldest_open = db.session.scalar(
        select(func.min(_EPISODES.c.opened_on)).where(
            _EPISODES.c.organization_id == organization_id, _EPISODES.c.status == "open"
        )
    )
    start = as_of - timedelta(days=WINDOW_DAYS - 1)
    if oldest_open is not None:
        start = min(start, oldest_open - timedelta(days=params.window_days + params.quiet_days))
    return start


def anomaly_params() -> AnomalyParams:
    """The thresholds configured for this app (ANOMALY_* settings, webapp/config_anomalies.py); the defaults
    outside an app context."""
    configured = current_app.config.get("ANOMALY_PARAMS") if has_app_context() else None
    return configured if isinstance(configured, AnomalyParams) else AnomalyParams()


def _usage(organization_id: int, start: date | None, as_of: date) -> tuple[list[UsageDay], str | None]:
    """Usage per service and operator of the completed days in the window, in the latest spend currency (a day spent
    in another currency counts as no usage: amounts of two currencies never meet)."""
    query = select(_DAILY.c.day, _DAILY.c.spend_currency, _DAILY.c.spend_by_service, _DAILY.c.spend_by_operator).where(
        _DAILY.c.organization_id == organization_id, _DAILY.c.day <= as_of
    )
    if start is not None:
        query = query.where(_DAILY.c.day >= start)
    return _usage_days([row._mapping for row in db.session.execute(query.order_by(_DAILY.c.day))], as_of)


def _usage_days(rows: Sequence[Mapping[Any, Any]], as_of: date) -> tuple[list[UsageDay], str | None]:
    rows = [row for row in rows if row["day"] <= as_of]
    currencies = [row["spend_currency"] for row in rows if row["spend_currency"]]
    currency = currencies[-1] if currencies else None
    days = [
        UsageDay.from_figures(row["day"], row["spend_by_service"] or {}, row["spend_by_operator"] or {})
        if row["spend_currency"] == currency
        else UsageDay(row["day"], {})
        for row in rows
    ]
    return days, currency


def _drivers(drivers: tuple[Driver, ...]) -> list[dict[str, Any]]:
    return [{"name": d.name, "expected": format_amount(d.expected), "actual": format_amount(d.actual)} for d in drivers]


def _values(episode: Episode, currency: str | None) -> dict[str, Any]:
    return {
        "last_day": episode.end,
        "closed_on": episode.closed_on,
        "status": "open" if episode.closed_on is None else "closed",
        "days": episode.days,
        "expected": episode.expected,
        "actual": episode.actual,
        "currency": currency,
        "top_services": _drivers(episode.top_services),
        "top_operators": _drivers(episode.top_operators),
        "method": episode.method,
    }


def _store(organization_id: int, found: list[Episode], currency: str | None, trusted: date | None) -> None:
    """Upsert what was found; drop unmarked stored episodes of the same span that no longer hold."""
    owned = _EPISODES.c.organization_id == organization_id
    stored = {
        (row.scope, row.opened_on): row
        for row in db.session.execute(
            select(_EPISODES.c.id, _EPISODES.c.scope, _EPISODES.c.opened_on, _EPISODES.c.mark).where(
                owned, *([] if trusted is None else [_EPISODES.c.opened_on >= trusted])
            )
        )
    }
    for episode in found:
        key = (episode.scope or ORGANIZATION_SCOPE, episode.start)
        values = _values(episode, currency)
        row = stored.pop(key, None)
        if row is None:
            db.session.execute(
                _EPISODES.insert().values(organization_id=organization_id, scope=key[0], opened_on=key[1], **values)
            )
        else:
            db.session.execute(update(_EPISODES).where(_EPISODES.c.id == row.id).values(**values))
    gone = [row.id for row in stored.values() if row.mark is None]
    if gone:
        db.session.execute(delete(_EPISODES).where(_EPISODES.c.id.in_(gone)))
    kept = [row.id for row in stored.values() if row.mark is not None]  # a marked one stays, closed
    if kept:
        db.session.execute(
            update(_EPISODES)
            .where(_EPISODES.c.id.in_(kept))
            .values(status="closed", closed_on=func.coalesce(_EPISODES.c.closed_on, _EPISODES.c.last_day))
        )
