"""The portfolio's 7-day change: the balance now minus the closing balance of the UTC day 7 days ago
(webapp.domain.week_change), for the rows shown and as the sort key.

The key depends on the day, so it is stored only as a fact of a day: the summary's base (change_base_day,
change_base_amount, and change_7d against it; read_model.change_base). Where the base is today's week-ago day the
stored change is the key, walked in its index (migration 0015_portfolio_change_base); the other rows (not collected
or rebased since midnight) are computed here from their daily figures of that day, as before, and merged
(portfolio_walk.walked), so the order never depends on whether the rebase has run.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, type_coerce
from sqlalchemy.orm import aliased

from webapp.domain.week_change import week_ago_day, week_ago_value_sql
from webapp.models import OrganizationDailyFigure
from webapp.models.types import Money
from webapp.queries.portfolio_header import S
from webapp.queries.portfolio_walk import Known

WeekAgo = aliased(OrganizationDailyFigure, name="week_ago")  # for the computed key, over the rows without a base
Shown = aliased(OrganizationDailyFigure, name="week_ago_shown")  # for the page's rows only


def week_ago_row(week: Any, organization_id: ColumnElement[Any], now: datetime) -> ColumnElement[bool]:
    """Joins the organisation's daily-figures row of the day 7 days ago (by primary key)."""
    return and_(week.organization_id == organization_id, week.day == week_ago_day(now))


def week_ago(
    now: datetime, week: Any, as_of: ColumnElement[Any], amount: ColumnElement[Any], currency: ColumnElement[Any]
) -> dict[str, ColumnElement[Any]]:
    """The balance 7 days ago and its currency from `week` (a daily-figures row of that day, outer-joined) and the
    summary's as_of, amount and currency."""
    day, has_row = week_ago_day(now), week.day.is_not(None)
    return {
        "amount_week_ago": type_coerce(
            week_ago_value_sql(day, has_row=has_row, closing=week.closing_balance, as_of=as_of, current=amount), Money
        ),
        "currency_week_ago": week_ago_value_sql(
            day, has_row=has_row, closing=week.balance_currency, as_of=as_of, current=currency
        ),
    }


def computed_change(now: datetime) -> ColumnElement[Any]:
    """The key computed from the summary and its WeekAgo row (outer-joined): right for every row."""
    week = week_ago(now, WeekAgo, S.as_of, S.balance_amount, S.balance_currency)
    return type_coerce(S.balance_amount - week["amount_week_ago"], Money)


def other_day(day: date) -> ColumnElement[bool]:
    """Summaries whose base is not `day`'s: ranges of the change index either side of the day, or no base."""
    return or_(S.change_base_day < day, S.change_base_day > day, S.change_base_day.is_(None))


def stored_change(now: datetime) -> tuple[Known, ColumnElement[bool]]:
    """Where the key is stored (change_7d, when the base is today's week-ago day) and which rows must have it
    computed: a base of another day, and a balance (without one the key is NULL; saying so lets the planner
    start from the summaries' index rather than from every organisation)."""
    day = week_ago_day(now)
    stored = S.change_7d, and_(S.change_base_day == day, S.change_7d.is_not(None))
    return stored, and_(S.balance_amount.is_not(None), other_day(day))
