"""The 7-day change's base on the summary (migration 0015_portfolio_change_base): the balance at the end of one UTC
day, tagged with that day, by the rule of webapp.domain.week_change. A fact of its day, never a stale "change": the
portfolio walks the stored change only for the rows whose base day is today's week-ago day and computes the others
at read time (webapp.queries.portfolio_change), so a base written yesterday costs speed, never correctness.

The write path stores it with every summary for the writer's week-ago day (with_change_base: from the daily figures
it has just written, in the same transaction); the daily rebase moves the others to the new day after
00:00 UTC; `flask summaries check` recomputes the amount for the stored day (store.differences). Nothing here
commits but rebase, which owns its batches as a job does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Table, func, select, update
from sqlalchemy.orm import Session, scoped_session

from webapp.domain.week_change import week_ago_day, week_ago_value, week_ago_value_sql
from webapp.extensions import db
from webapp.models import OrganizationDailyFigure, OrganizationSummary
from webapp.models.types import utcnow
from webapp.queries.portfolio_change import other_day

REBASE_BATCH = 1000
# The rebase runs once a UTC day (slots are aligned to the epoch, hence to 00:00 UTC): the RQ scheduler queues
# jobs.summaries.rebase_change, the in-process collector calls rebase; `flask summaries rebase` runs it at will.
REBASE_INTERVAL_SECONDS = 86_400.0
_SUMMARIES = cast(Table, OrganizationSummary.__table__)
_DAILY = cast(Table, OrganizationDailyFigure.__table__)
S, D = _SUMMARIES.c, _DAILY.c


def with_change_base(
    executor: Session | scoped_session[Any] | Connection,
    summary: Mapping[str, Any],
    *,
    closings: Mapping[date, Decimal | None] | None = None,
    complete_from: date = date.max,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The summary's values with its base for the week-ago day of `now` (default: the wall clock), from the
    organisation's daily figures as written in this transaction: `closings` (day → closing balance of every daily
    row from `complete_from` on, which the write path has in hand) when the day is not before `complete_from`, else
    one primary-key probe."""
    day = week_ago_day(now or utcnow())
    if closings is not None and day >= complete_from:
        has_row, closing = day in closings, closings.get(day)
    else:
        row = executor.execute(
            select(D.closing_balance).where(D.organization_id == summary["organization_id"], D.day == day)
        ).first()
        has_row, closing = row is not None, None if row is None else row[0]
    amount = week_ago_value(
        day, has_row=has_row, closing=closing, as_of=summary["as_of"], current=summary["balance_amount"]
    )
    return {**summary, "change_base_day": day, "change_base_amount": amount}


def base_sql(day: date) -> ColumnElement[Any]:
    """The base for `day` of the summary row in hand (week_ago_value's SQL twin over its daily figures)."""
    closing = select(D.closing_balance).where(D.organization_id == S.organization_id, D.day == day)
    return week_ago_value_sql(
        day, has_row=closing.exists(), closing=closing.scalar_subquery(), as_of=S.as_of, current=S.balance_amount
    )


def to_move(now: datetime) -> int:
    """How many summaries have a base of another day than now's week-ago day (what rebase would move)."""
    return db.session.scalar(select(func.count()).select_from(_SUMMARIES).where(other_day(week_ago_day(now)))) or 0


def rebase(now: datetime, *, batch: int = REBASE_BATCH, advance: Callable[[int], None] = lambda _moved: None) -> int:
    """Move every summary whose base is another day's to the week-ago day of `now`: one UPDATE per `batch` rows, by
    id, each committed at once (one statement reads and writes, so a collection that replaces a row meanwhile is
    never overwritten with what it replaced; it wrote its own base). The number of summaries moved."""
    day, after, moved = week_ago_day(now), 0, 0
    while True:
        chosen = (
            select(S.organization_id)
            .where(other_day(day), S.organization_id > after)
            .order_by(S.organization_id)
            .limit(batch)
        )
        statement = (
            update(_SUMMARIES)
            .where(S.organization_id.in_(chosen), other_day(day))
            .values(change_base_day=day, change_base_amount=base_sql(day))
            .returning(S.organization_id)
        )
        ids = db.session.scalars(statement).all()
        db.session.commit()
        if not ids:
            return moved
        moved, after = moved + len(ids), max(ids)
        advance(len(ids))
