"""The portfolio: visible organisations with balance, month-to-date cost, 7-day change and badges.

One statement returns a page of rows. Each figure is a correlated probe of the
"latest" indexes (balance ledger, cost snapshots), so PostgreSQL evaluates them
only for the rows of the page when sorting by name; sorting by a figure computes
it for every visible organisation (a thousand index probes, still one statement).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, Subquery, case, func, literal, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute

from webapp.domain.balance import (
    SPEND_WINDOW_DAYS,
    is_low_balance,
    is_overdrawn,
    is_short_runway,
    low_balance_sql,
    runway_days,
    runway_sql,
    short_runway_sql,
)
from webapp.domain.freshness import is_stale_before, stale_before, stale_before_sql
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionState, CostSnapshot, Organization, User
from webapp.models.types import Money
from webapp.queries.organizations import visible_organizations_stmt
from webapp.queries.paging import page_count

CHANGE_WINDOW_DAYS = 7
PER_PAGE = 25
SORTS = ("name", "balance", "cost", "change", "runway", "collected", "checked", "status")
ZERO = Decimal(0)
Probed = ColumnElement[Any] | InstrumentedAttribute[Any]


@dataclass(frozen=True, slots=True)
class PortfolioParams:
    """What the user asked for: search text, sort column and direction, page (1-based)."""

    q: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE


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
    stale_before: datetime

    @property
    def change_7d(self) -> Decimal | None:
        """Balance now minus the balance 7 days ago (None when there is nothing to compare)."""
        if self.amount is None or self.amount_week_ago is None or self.currency != self.currency_week_ago:
            return None
        return self.amount - self.amount_week_ago

    @property
    def low_balance(self) -> bool:
        return is_low_balance(self.amount, self.threshold)

    @property
    def overdrawn(self) -> bool:
        return is_overdrawn(self.amount)

    @property
    def stale(self) -> bool:
        """No successful balance check for more than two collection intervals."""
        return is_stale_before(self.checked_at, self.stale_before)

    @property
    def runway_days(self) -> Decimal | None:
        """Balance ÷ average daily spend over the last 30 days (domain.balance.runway_days)."""
        return runway_days(
            self.amount, self.spend_30d, balance_currency=self.currency, spend_currency=self.cost_currency
        )

    @property
    def short_runway(self) -> bool:
        return is_short_runway(self.runway_days)


@dataclass(frozen=True, slots=True)
class PortfolioPage:
    rows: list[PortfolioRow]
    total: int
    params: PortfolioParams
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", page_count(self.total, self.params.per_page))


def _balance_probe(column: Probed, org_id: Probed, at: datetime | None = None) -> ScalarSelect[Any]:
    statement = select(column).where(BalanceSnapshot.organization_id == org_id)
    if at is not None:
        statement = statement.where(BalanceSnapshot.collected_at <= at)
    return statement.order_by(BalanceSnapshot.collected_at.desc()).limit(1).scalar_subquery()


def _cost_probe(column: Probed, org_id: Probed, month: Month, at: datetime | None = None) -> ScalarSelect[Any]:
    statement = select(column).where(
        CostSnapshot.organization_id == org_id, CostSnapshot.year == month.year, CostSnapshot.month == month.month
    )
    if at is not None:
        statement = statement.where(CostSnapshot.collected_at <= at)
    return statement.order_by(CostSnapshot.collected_at.desc()).limit(1).scalar_subquery()


def _spend_expression(org_id: Probed, now: datetime) -> ColumnElement[Any]:
    """Cost accrued in the last 30 days: per month touched, total now minus total at the window start."""
    start = now - timedelta(days=SPEND_WINDOW_DAYS)
    zero = literal(ZERO, Money)
    terms = [
        func.coalesce(_cost_probe(CostSnapshot.total, org_id, month, now), zero)
        - func.coalesce(_cost_probe(CostSnapshot.total, org_id, month, start), zero)
        for month in Month.between(start, now)
    ]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return type_coerce(total, Money)


def _columns(org: Subquery, now: datetime) -> dict[str, ColumnElement[Any]]:
    week_ago = now - timedelta(days=CHANGE_WINDOW_DAYS)
    return {
        "amount": type_coerce(_balance_probe(BalanceSnapshot.amount, org.c.id), Money),
        "currency": _balance_probe(BalanceSnapshot.currency, org.c.id),
        "collected_at": _balance_probe(BalanceSnapshot.collected_at, org.c.id),
        "amount_week_ago": type_coerce(_balance_probe(BalanceSnapshot.amount, org.c.id, week_ago), Money),
        "currency_week_ago": _balance_probe(BalanceSnapshot.currency, org.c.id, week_ago),
        "cost": type_coerce(_cost_probe(CostSnapshot.total, org.c.id, Month.of(now)), Money),
        "cost_currency": _cost_probe(CostSnapshot.currency, org.c.id, Month.of(now)),
        "spend_30d": _spend_expression(org.c.id, now),
    }


def _runway(row: Subquery) -> ColumnElement[Any]:
    c = row.c
    return runway_sql(c.amount, c.spend_30d, balance_currency=c.currency, spend_currency=c.cost_currency)


def _status_sort(row: Subquery, stale_at: datetime) -> ColumnElement[Any]:
    """More badges first: stale (4) + low balance (2) + short runway (1)."""
    stale = case((stale_before_sql(row.c.checked_at, stale_at), 4), else_=0)
    low = case((low_balance_sql(row.c.amount, row.c.threshold), 2), else_=0)
    short = case((short_runway_sql(_runway(row)), 1), else_=0)
    return stale + low + short


def _sort_key(params: PortfolioParams, row: Subquery, stale_at: datetime) -> ColumnElement[Any]:
    keys: dict[str, Callable[[], ColumnElement[Any]]] = {
        "balance": lambda: row.c.amount,
        "cost": lambda: row.c.cost,
        "change": lambda: type_coerce(row.c.amount - row.c.amount_week_ago, Money),
        "runway": lambda: _runway(row),
        "collected": lambda: row.c.collected_at,
        "checked": lambda: row.c.checked_at,
        "status": lambda: _status_sort(row, stale_at),
    }
    key = keys[params.sort]()
    return (key.desc() if params.desc else key.asc()).nulls_last()


def _filtered(user: User, q: str) -> Select:
    statement = visible_organizations_stmt(user)
    if q.strip():
        statement = statement.where(func.lower(Organization.name).contains(q.strip().lower(), autoescape=True))
    return statement


def _rows_statement(user: User, params: PortfolioParams, now: datetime) -> Select:
    org = _filtered(user, params.q).subquery("org")
    checked = select(CollectionState).where(CollectionState.kind == "balances").subquery("checked")
    return (
        select(org.c.id, org.c.name, org.c.active, org.c.low_balance_threshold.label("threshold"))
        .add_columns(
            checked.c.last_success_at.label("checked_at"), *(c.label(n) for n, c in _columns(org, now).items())
        )
        .select_from(org)
        .outerjoin(checked, checked.c.organization_id == org.c.id)
    )


def portfolio_statement(user: User, params: PortfolioParams, now: datetime, stale_at: datetime) -> Select:
    """By name: one flat statement, so PostgreSQL probes only the page's rows. By a figure: every
    figure is computed once per organisation in a subquery (OFFSET 0 keeps it from being inlined,
    which would repeat the probes in the sort key), then sorted."""
    rows = _rows_statement(user, params, now)
    if params.sort == "name":
        name = func.lower(rows.selected_columns.name)
        statement = rows.order_by(name.desc() if params.desc else name.asc(), rows.selected_columns.id)
    else:
        figures = rows.offset(0).subquery("figures")
        statement = select(figures).order_by(
            _sort_key(params, figures, stale_at), func.lower(figures.c.name), figures.c.id
        )
    return statement.limit(params.per_page).offset((params.page - 1) * params.per_page)


def portfolio_page(user: User, params: PortfolioParams, *, now: datetime, interval_hours: float) -> PortfolioPage:
    """A page of the portfolio: two statements (the count and the rows) whatever the number of organisations."""
    stale_at = stale_before(now, interval_hours)
    total = db.session.scalar(select(func.count()).select_from(_filtered(user, params.q).subquery()))
    result = db.session.execute(portfolio_statement(user, params, now, stale_at))
    rows = [PortfolioRow(**row._mapping, stale_before=stale_at) for row in result]
    return PortfolioPage(rows=rows, total=total or 0, params=params)


def portfolio_all(
    user: User, params: PortfolioParams, *, now: datetime, interval_hours: float
) -> Iterator[PortfolioRow]:
    """Every row of the list as shown (same search and sort, no paging), for the CSV; streamed."""
    stale_at = stale_before(now, interval_hours)
    statement = portfolio_statement(user, params, now, stale_at).limit(None).offset(None)
    for row in db.session.execute(statement.execution_options(yield_per=500)):
        yield PortfolioRow(**row._mapping, stale_before=stale_at)
