"""Balance rules (SPEC §9): overdrawn, low balance, runway. A rule the portfolio sorts by has its SQL twin
(taking columns) beside the Python predicate the pages render; tests prove the twins agree."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, literal, or_

ZERO = Decimal(0)
SPEND_WINDOW_DAYS = 30
RUNWAY_WARN_DAYS = 14


def is_overdrawn(amount: Decimal | None) -> bool:
    """The balance is below zero (always on, no threshold)."""
    return amount is not None and amount < ZERO


def overdrawn_sql(amount: ColumnElement[Any]) -> ColumnElement[bool]:
    """The SQL twin of is_overdrawn (the portfolio's overdrawn filter)."""
    return and_(amount.is_not(None), amount < literal(ZERO, amount.type))


def is_low_balance(amount: Decimal | None, threshold: Decimal | None) -> bool:
    """The balance is under the organisation's threshold (no threshold: never low)."""
    return threshold is not None and amount is not None and amount < threshold


def low_balance_sql(amount: ColumnElement[Any], threshold: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(threshold.is_not(None), amount.is_not(None), amount < threshold)


def runway_days(
    amount: Decimal | None,
    spend: Decimal | None,
    *,
    balance_currency: str | None = None,
    spend_currency: str | None = None,
    window_days: int = SPEND_WINDOW_DAYS,
) -> Decimal | None:
    """Balance ÷ average daily spend over the window; None ("n/a") without spend, or when costs are
    billed in another currency than the balance (never mix currencies). Never below zero."""
    if spend_currency is not None and spend_currency != balance_currency:
        return None
    if amount is None or spend is None or spend <= 0:
        return None
    return max(ZERO, amount / (spend / window_days))


def runway_sql(
    amount: ColumnElement[Any],
    spend: ColumnElement[Any],
    *,
    balance_currency: ColumnElement[Any],
    spend_currency: ColumnElement[Any],
    window_days: int = SPEND_WINDOW_DAYS,
) -> ColumnElement[Any]:
    """Runway in days as a float (for sorting), NULL where runway_days is None."""
    same_currency = or_(spend_currency.is_(None), spend_currency == balance_currency)
    usable = and_(spend > literal(ZERO, spend.type), same_currency)
    days = cast(amount, Float) * window_days / cast(spend, Float)
    return case((usable, case((days < 0, 0.0), else_=days)), else_=None)


def is_short_runway(days: Decimal | None) -> bool:
    """Less than RUNWAY_WARN_DAYS of spend left."""
    return days is not None and days < RUNWAY_WARN_DAYS


def short_runway_sql(days: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(days.is_not(None), days < RUNWAY_WARN_DAYS)


def runs_out_soon(runs_out_on: date | None, today: date, *, within_days: int = RUNWAY_WARN_DAYS) -> bool:
    """The depletion forecast's expected day falls within `within_days` of today (the portfolio's
    "runs out within 14 days"; no forecast, e.g. overdrawn or too little history: never)."""
    return runs_out_on is not None and runs_out_on <= today + timedelta(days=within_days)


def runs_out_soon_sql(
    runs_out_on: ColumnElement[Any], today: date, *, within_days: int = RUNWAY_WARN_DAYS
) -> ColumnElement[bool]:
    return and_(runs_out_on.is_not(None), runs_out_on <= today + timedelta(days=within_days))


def top_up(before_amount: Decimal, before_currency: str, after_amount: Decimal, after_currency: str) -> Decimal | None:
    """A top-up is a rise between consecutive balance snapshots of one currency: the rise, else None.
    (The read model's daily top-ups and the balance chart's markers both count them this way.)"""
    if after_currency != before_currency or after_amount <= before_amount:
        return None
    return after_amount - before_amount
