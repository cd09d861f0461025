"""Freshness: when data counts as stale (no successful balance check for two collection intervals)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_

STALE_AFTER_INTERVALS = 2


def stale_before(now: datetime, interval_hours: float) -> datetime:
    """Checks older than this are stale."""
    return now - timedelta(hours=STALE_AFTER_INTERVALS * interval_hours)


def is_stale(checked_at: datetime | None, *, now: datetime, interval_hours: float) -> bool:
    """The Python predicate; queries use stale_before_sql with the same cut-off (tests prove they agree)."""
    return is_stale_before(checked_at, stale_before(now, interval_hours))


def is_stale_before(checked_at: datetime | None, before: datetime) -> bool:
    """Stale against a cut-off computed once (a page of rows shares one `stale_before`)."""
    return checked_at is None or checked_at < before


def stale_before_sql(checked_at: ColumnElement[datetime], before: datetime) -> ColumnElement[bool]:
    """The SQL twin of is_stale_before."""
    return or_(checked_at.is_(None), checked_at < before)
