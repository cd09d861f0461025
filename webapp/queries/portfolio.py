"""The portfolio: visible organisations with balance, month-to-date cost, 7-day change and badges.

One statement returns a page of rows, whatever the sort, search or filter: organisations joined to
their read-model summary (indexed columns) and to one daily-figures row (the closing balance a week
ago, by primary key); the 30-day spend behind runway is this month's stored total plus a primary-key
range sum of the stored daily spend of the window's days before the month began. Time-relative facts
(stale, this month's cost, the 7-day change) are judged here against now, from stored timestamps and
figures; nothing probes the snapshot history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, case, func, null, or_, select, type_coerce
from sqlalchemy.orm import aliased

from webapp.domain import balance as balance_rules
from webapp.domain.freshness import is_stale_before, stale_before, stale_before_sql
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import Organization, OrganizationDailyFigure, OrganizationSummary, User
from webapp.models.types import Money
from webapp.queries.organizations import visible_organizations_stmt
from webapp.queries.paging import page_count

CHANGE_WINDOW_DAYS = 7
PER_PAGE = 25
SORTS = ("name", "balance", "cost", "change", "runway", "collected", "checked", "status")
FILTERS = ("attention", "overdrawn", "low-balance", "stale", "short-runway")
ZERO = Decimal(0)
Summary = OrganizationSummary
WeekAgo = aliased(OrganizationDailyFigure, name="week_ago")
Daily = aliased(OrganizationDailyFigure, name="daily")
S = cast(Table, Summary.__table__).c  # plain columns, typed for the domain's SQL twins


@dataclass(frozen=True, slots=True)
class PortfolioParams:
    """What the user asked for: search text, filter, sort column and direction, page (1-based)."""

    q: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    filter: str | None = None


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    id: int
    name: str
    active: bool
    threshold: Decimal | None
    amount: Decimal | None
    currency: str | None
    collected_at: datetime | None
    checked_at: datetime | None
    amount_week_ago: Decimal | None
    currency_week_ago: str | None
    cost: Decimal | None
    cost_currency: str | None
    spend_30d: Decimal | None
    spend_currency: str | None
    stale_before: datetime

    @property
    def change_7d(self) -> Decimal | None:
        """Balance now minus the balance 7 days ago (None when there is nothing to compare)."""
        if self.amount is None or self.amount_week_ago is None or self.currency != self.currency_week_ago:
            return None
        return self.amount - self.amount_week_ago

    @property
    def low_balance(self) -> bool:
        return balance_rules.is_low_balance(self.amount, self.threshold)

    @property
    def overdrawn(self) -> bool:
        return balance_rules.is_overdrawn(self.amount)

    @property
    def stale(self) -> bool:
        """No successful balance check for more than two collection intervals."""
        return is_stale_before(self.checked_at, self.stale_before)

    @property
    def runway_days(self) -> Decimal | None:
        """Balance ÷ average daily spend over the last 30 days (domain.balance.runway_days)."""
        return balance_rules.runway_days(
            self.amount, self.spend_30d, balance_currency=self.currency, spend_currency=self.spend_currency
        )

    @property
    def short_runway(self) -> bool:
        return balance_rules.is_short_runway(self.runway_days)


@dataclass(frozen=True, slots=True)
class PortfolioPage:
    rows: list[PortfolioRow]
    total: int
    params: PortfolioParams
    counts: dict[str, int] = field(default_factory=dict)
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", page_count(self.total, self.params.per_page))


def week_ago_day(now: datetime) -> date:
    """The UTC day whose closing balance the 7-day change compares with."""
    return (now - timedelta(days=CHANGE_WINDOW_DAYS)).date()


def _columns(now: datetime) -> dict[str, ColumnElement[Any]]:
    month = Month.of(now)
    this_month = and_(S.mtd_year == month.year, S.mtd_month == month.month)
    # No daily row for that day: the ledger ended before it (the balance has not moved since) or
    # began after it (nothing to compare with).
    ended_before = S.as_of < datetime.combine(week_ago_day(now), datetime.min.time(), now.tzinfo)
    return {
        "amount": S.balance_amount,
        "currency": S.balance_currency,
        "collected_at": S.balance_changed_at,
        "checked_at": S.checked_at,
        "amount_week_ago": type_coerce(
            case((WeekAgo.day.is_not(None), WeekAgo.closing_balance), (ended_before, S.balance_amount)), Money
        ),
        "currency_week_ago": case(
            (WeekAgo.day.is_not(None), WeekAgo.balance_currency), (ended_before, S.balance_currency)
        ),
        "cost": type_coerce(case((this_month, S.mtd_total), else_=null()), Money),
        "cost_currency": case((this_month, S.mtd_currency), else_=null()),
        "spend_30d": _spend_30d(now, this_month),
        "spend_currency": func.coalesce(case((this_month, S.mtd_currency), else_=null()), S.spend_30d_currency),
    }


def _spend_30d(now: datetime, this_month: ColumnElement[bool]) -> ColumnElement[Any]:
    """Cost accrued in the 30 days to now, from stored figures: this month's total so far when the month
    began inside the window, plus the daily spend of the window's days before the month began. One scalar
    subquery, so each reference to it costs one primary-key range read."""
    start_day = (now - timedelta(days=balance_rules.SPEND_WINDOW_DAYS)).date()
    month_start = Month.of(now).start.date()
    inside = month_start > start_day
    current = case((this_month, S.mtd_total), else_=null()) if inside else null()
    total = (
        select(
            case(
                (and_(func.count(Daily.day) == 0, current.is_(None)), null()),
                else_=func.coalesce(func.sum(Daily.spend), 0) + func.coalesce(current, 0),
            )
        )
        .where(
            Daily.organization_id == Organization.id,
            Daily.day >= start_day,
            Daily.day < month_start if inside else Daily.day <= now.date(),
            or_(S.mtd_currency.is_(None), Daily.spend_currency == S.mtd_currency),
        )
        .scalar_subquery()
    )
    return type_coerce(total, Money)


def _runway(now: datetime) -> ColumnElement[Any]:
    columns = _columns(now)
    return balance_rules.runway_sql(
        S.balance_amount,
        columns["spend_30d"],
        balance_currency=S.balance_currency,
        spend_currency=columns["spend_currency"],
    )


def _rules(
    amount: ColumnElement[Any], threshold: ColumnElement[Any], checked_at: ColumnElement[Any],
    runway: ColumnElement[Any], stale_at: datetime,
) -> dict[str, ColumnElement[bool]]:  # fmt: skip
    """Each filter as a condition (the domain rules' SQL twins), "attention" being any of them."""
    rules = {
        "overdrawn": balance_rules.overdrawn_sql(amount),
        "low-balance": balance_rules.low_balance_sql(amount, threshold),
        "stale": stale_before_sql(checked_at, stale_at),
        "short-runway": balance_rules.short_runway_sql(runway),
    }
    return {"attention": or_(*rules.values()), **rules}


def _predicates(now: datetime, stale_at: datetime) -> dict[str, ColumnElement[bool]]:
    """The filters on the summary columns."""
    threshold = Organization.low_balance_threshold.expression
    return _rules(S.balance_amount, threshold, S.checked_at, _runway(now), stale_at)


def _status_sort(now: datetime, stale_at: datetime) -> ColumnElement[Any]:
    """More badges first: stale (4) + low balance (2) + short runway (1)."""
    rules = _predicates(now, stale_at)
    return (
        case((rules["stale"], 4), else_=0)
        + case((rules["low-balance"], 2), else_=0)
        + case((rules["short-runway"], 1), else_=0)
    )


def _sort_key(params: PortfolioParams, now: datetime, stale_at: datetime) -> ColumnElement[Any]:
    columns = _columns(now)
    key = {
        "balance": lambda: S.balance_amount,
        "cost": lambda: columns["cost"],
        "change": lambda: type_coerce(S.balance_amount - columns["amount_week_ago"], Money),
        "runway": lambda: _runway(now),
        "collected": lambda: S.balance_changed_at,
        "checked": lambda: S.checked_at,
        "status": lambda: _status_sort(now, stale_at),
    }[params.sort]()
    return (key.desc() if params.desc else key.asc()).nulls_last()


def _visible(user: User, q: str, now: datetime) -> Select[Any]:
    """The visible organisations matching the search, joined to their summary and last week's figures."""
    statement = (
        visible_organizations_stmt(user)
        .outerjoin(Summary, Summary.organization_id == Organization.id)
        .outerjoin(WeekAgo, and_(WeekAgo.organization_id == Organization.id, WeekAgo.day == week_ago_day(now)))
    )
    if q.strip():
        statement = statement.where(func.lower(Organization.name).contains(q.strip().lower(), autoescape=True))
    return statement


def portfolio_statement(user: User, params: PortfolioParams, now: datetime, stale_at: datetime) -> Select[Any]:
    """One statement: the page of rows, searched, filtered and sorted on the summary's columns."""
    statement = _visible(user, params.q, now).with_only_columns(
        Organization.id,
        Organization.name,
        Organization.active,
        Organization.low_balance_threshold.label("threshold"),
        *(column.label(name) for name, column in _columns(now).items()),
    )
    if params.filter is not None:
        statement = statement.where(_predicates(now, stale_at)[params.filter])
    name = func.lower(Organization.name)
    if params.sort == "name":
        statement = statement.order_by(name.desc() if params.desc else name.asc(), Organization.id)
    else:
        statement = statement.order_by(_sort_key(params, now, stale_at), name, Organization.id)
    return statement.limit(params.per_page).offset((params.page - 1) * params.per_page)


def filter_counts(user: User, q: str, *, now: datetime, stale_at: datetime) -> dict[str, int]:
    """How many of the visible (searched) organisations each filter keeps, plus "all": one aggregate over
    a materialised set, so the 30-day spend behind runway is read once per organisation, not per rule."""
    columns = _columns(now)
    base = (
        _visible(user, q, now)
        .with_only_columns(
            S.balance_amount.label("amount"),
            S.balance_currency.label("currency"),
            Organization.low_balance_threshold.label("threshold"),
            S.checked_at.label("checked_at"),
            columns["spend_30d"].label("spend"),
            columns["spend_currency"].label("spend_currency"),
        )
        .cte("visible_summaries")
        .prefix_with("MATERIALIZED")
    )
    runway = balance_rules.runway_sql(base.c.amount, base.c.spend, balance_currency=base.c.currency,
                        spend_currency=base.c.spend_currency)  # fmt: skip
    predicates = _rules(base.c.amount, base.c.threshold, base.c.checked_at, runway, stale_at)
    counts = [func.count(), *(func.coalesce(func.sum(case((rule, 1), else_=0)), 0) for rule in predicates.values())]
    row = db.session.execute(select(*counts).select_from(base)).one()
    return dict(zip(("all", *predicates), (int(value) for value in row), strict=True))


def portfolio_page(user: User, params: PortfolioParams, *, now: datetime, interval_hours: float) -> PortfolioPage:
    """A page of the portfolio: two statements (the counts and the rows) whatever the number of organisations."""
    stale_at = stale_before(now, interval_hours)
    counts = filter_counts(user, params.q, now=now, stale_at=stale_at)
    result = db.session.execute(portfolio_statement(user, params, now, stale_at))
    rows = [PortfolioRow(**row._mapping, stale_before=stale_at) for row in result]
    return PortfolioPage(rows=rows, total=counts[params.filter or "all"], params=params, counts=counts)


def portfolio_all(
    user: User, params: PortfolioParams, *, now: datetime, interval_hours: float
) -> Iterator[PortfolioRow]:
    """Every row of the list as shown (same search, filter and sort, no paging), for the CSV; streamed."""
    stale_at = stale_before(now, interval_hours)
    statement = portfolio_statement(user, params, now, stale_at).limit(None).offset(None)
    for row in db.session.execute(statement.execution_options(yield_per=500)):
        yield PortfolioRow(**row._mapping, stale_before=stale_at)
