"""The 7-day change (SPEC §5, the portfolio's column and sort): the balance now minus the balance at the end of the
UTC day 7 days ago. Without daily figures for that day the ledger either ended before the day began (nothing has
moved since: the current value) or began after it (nothing to compare with: None).

The Python rule (the read model stores it for a day: read_model.change_base) and its SQL twin (the portfolio
computes it where nothing is stored for today; the rebase stores it in bulk) take the same inputs; tests prove
that they agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, case

CHANGE_WINDOW_DAYS = 7
T = TypeVar("T")


def week_ago_day(now: datetime) -> date:
    """The UTC day whose closing balance the 7-day change compares with."""
    return (now.astimezone(UTC) - timedelta(days=CHANGE_WINDOW_DAYS)).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def week_ago_value(
    day: date, *, has_row: bool, closing: T | None, as_of: datetime | None, current: T | None
) -> T | None:
    """The value (closing balance or its currency) at the end of `day`: the daily figures' when the organisation
    has a row for that day (`has_row`), else `current` when the summary's `as_of` is before the day began, else
    None."""
    if has_row:
        return closing
    return current if as_of is not None and as_of < day_start(day) else None


def week_ago_value_sql(
    day: date,
    *,
    has_row: ColumnElement[bool],
    closing: ColumnElement[Any],
    as_of: ColumnElement[Any],
    current: ColumnElement[Any],
) -> ColumnElement[Any]:
    """The SQL twin of week_ago_value (NULL where it is None)."""
    return case((has_row, closing), (as_of < day_start(day), current))
