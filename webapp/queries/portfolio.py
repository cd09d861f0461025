"""The portfolio: visible organisations with balance, month-to-date cost, 7-day change and badges.

Two statements make a page, whatever the sort, search or filter, and neither reads more than one
summary row (plus, for the rows shown, one daily-figures row by primary key) per organisation: the
header (webapp.queries.portfolio_header: one aggregate per currency over the visible summaries) and
the page of rows. "Runs out" is the summary's stored depletion forecast (read_model.forecast: the
expected day the balance reaches zero, its 80 % band, or why there is none); time-relative facts
(stale, this month's cost, the 7-day change, days until it runs out) are judged here against now
from stored timestamps and figures (the 7-day change sorts on a stored base only where that base is of
today's week-ago day: webapp.queries.portfolio_change); nothing probes the snapshot history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Label,
    Result,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    null,
    select,
)
from sqlalchemy.orm import aliased

from webapp.domain import balance as balance_rules
from webapp.domain.freshness import is_stale_before, stale_before
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import Organization, SpendAnomaly, User
from webapp.queries.paging import page_count
from webapp.queries.portfolio_change import Shown, WeekAgo, computed_change, stored_change, week_ago, week_ago_row
from webapp.queries.portfolio_header import (
    FILTERS,
    CurrencyGroup,
    PortfolioParams,
    S,
    header,
    never_collected,
    rules,
    this_month_cost,
    utc_today,
    visible,
    visible_summaries,
)
from webapp.queries.portfolio_status import status_key, status_walked
from webapp.queries.portfolio_walk import INDEXED_SORTS, Known, order_by, summaries_by_name, walked

SORTS = ("name", "balance", "cost", "change", "runway", "collected", "checked", "status")
# The useful first click: the largest cost and change, the most badges; everything else ascending
# (name A→Z, lowest balance, soonest "runs out", longest unchanged, longest unchecked).
FIRST_DESCENDING = frozenset({"cost", "change", "status"})
Other = aliased(Organization, name="same_name")


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    id: int
    name: str
    active: bool
    threshold: Decimal | None
    reference: str | None  # the provider reference, only when another organisation has the same name
    amount: Decimal | None
    currency: str | None
    collected_at: datetime | None
    checked_at: datetime | None
    amount_week_ago: Decimal | None
    currency_week_ago: str | None
    cost: Decimal | None
    cost_currency: str | None
    runs_out_on: date | None
    runs_out_earliest: date | None
    runs_out_latest: date | None
    forecast_status: str | None
    forecast_reason: str | None
    stale_before: datetime
    today: date
    anomaly_open: bool = False  # a spend anomaly episode is open (webapp/read_model/anomalies.py)

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
    def runway_days(self) -> int | None:
        """Whole days from today (UTC) to the depletion forecast's expected day (never below 0);
        None without a forecast (forecast_reason says why)."""
        return None if self.runs_out_on is None else max(0, (self.runs_out_on - self.today).days)

    @property
    def short_runway(self) -> bool:
        """Runs out within 14 days (domain.balance.runs_out_soon)."""
        return balance_rules.runs_out_soon(self.runs_out_on, self.today)


@dataclass(frozen=True, slots=True)
class PortfolioPage:
    rows: list[PortfolioRow]
    params: PortfolioParams
    groups: list[CurrencyGroup]
    counts: dict[str, int]
    total: int
    pages: int


def _columns(now: datetime) -> dict[str, ColumnElement[Any]]:
    cost, cost_currency = this_month_cost(now)
    return {
        "reference": Organization.provider_account_ref.expression,
        "amount": S.balance_amount,
        "currency": S.balance_currency,
        "collected_at": S.balance_changed_at,
        "checked_at": S.checked_at,
        "summary_as_of": S.as_of,
        "cost": cost,
        "cost_currency": cost_currency,
        "runs_out_on": S.runs_out_on,
        "runs_out_earliest": S.runs_out_earliest,
        "runs_out_latest": S.runs_out_latest,
        "forecast_status": S.forecast_status,
        "forecast_reason": S.forecast_reason,
    }


def _sort_key(params: PortfolioParams, now: datetime, rule: dict[str, ColumnElement[bool]]) -> ColumnElement[Any]:
    columns = _columns(now)
    return {
        "name": lambda: func.lower(Organization.name),
        "balance": lambda: S.balance_amount,
        "cost": lambda: columns["cost"],
        "change": lambda: computed_change(now),
        # "Runs out": the expected day, overdrawn ("depleted") before every date (models.read_model.RUNWAY_ORDER_SQL)
        "runway": lambda: S.runway_order,
        "collected": lambda: S.balance_changed_at,
        "checked": lambda: S.checked_at,
        "status": lambda: status_key(rule),
    }[params.sort]()


def _this_month_total(now: datetime) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """The cost key where it is known: this month's stored total (the key is NULL for other months)."""
    month = Month.of(now)
    return S.mtd_total, and_(S.mtd_year == month.year, S.mtd_month == month.month, S.mtd_total.is_not(None))


def _stored_key(params: PortfolioParams, now: datetime) -> tuple[Known | None, ColumnElement[bool] | None]:
    """A key stored only where a condition holds (portfolio_walk.Known), and the rows whose key is computed
    instead (None: the key is NULL wherever the condition fails): cost this month, the 7-day change."""
    if params.sort == "change":
        return stored_change(now)
    return (_this_month_total(now) if params.sort == "cost" else None), None


def _rows(
    user: User, params: PortfolioParams, now: datetime, rule: dict[str, ColumnElement[bool]], key: Label[Any]
) -> Select[Any]:
    """The visible organisations (searched, filtered), with their summary's columns and the sort key; unordered."""
    statement = visible(user, params)
    if params.sort == "change":  # the only sort (or filter) that needs the week-ago balance of every row
        statement = statement.outerjoin(WeekAgo, week_ago_row(WeekAgo, Organization.id.expression, now))
    statement = statement.with_only_columns(
        Organization.id,
        Organization.name,
        Organization.active,
        Organization.low_balance_threshold.label("threshold"),
        *(column.label(label) for label, column in _columns(now).items()),
        key,
    )
    if params.filter is not None:
        statement = statement.where(rule[params.filter])
    return statement


def _sorted(rows: Select[Any], key: Label[Any], params: PortfolioParams, *, paged: bool) -> Subquery:
    """The rows in the chosen order (then lower(name), then id): sorted all, then paged."""
    name = func.lower(Organization.name).label("sort_name")
    statement = rows.add_columns(name).order_by(*order_by(key, name, Organization.id.expression, params))
    if paged:
        statement = statement.limit(params.per_page).offset((params.page - 1) * params.per_page)
    return statement.subquery("page")


def _by_name(
    user: User,
    params: PortfolioParams,
    rows: Select[Any],
    rule: dict[str, ColumnElement[bool]],
    never: dict[str, bool],
    unseen: bool,
) -> Subquery:
    """A filter's or a search's page by name, from the summaries; the organisations never collected where the list
    keeps them (all of them unfiltered, else as the filter's rule says) and some can be there."""
    keeps = never[params.filter] if params.filter else True
    chosen = [rule[params.filter]] if params.filter else []
    conditions = [*visible_summaries(user, params), *chosen]
    return summaries_by_name(rows, conditions, params, never_collected=keeps and unseen)


def portfolio_statement(
    user: User,
    params: PortfolioParams,
    now: datetime,
    stale_at: datetime,
    *,
    paged: bool = True,
    unseen: bool | None = None,
) -> Select[Any]:
    """One statement: the page of rows, searched, filtered and sorted on the summary's columns; the
    provider reference of duplicate names looked up for the page's rows only (after the paging). `unseen`:
    whether some organisation of the scope and search has no summary row yet, when the caller knows (the
    header counts them); None: a page by name looks for them."""
    today = utc_today(now)
    rule = rules(stale_at, today)  # the filters' conditions, built once for the key, the rows and the walks
    key = _sort_key(params, now, rule).label("sort_key")
    rows = _rows(user, params, now, rule, key)
    stored, computed = _stored_key(params, now)
    walk = paged and (params.sort in INDEXED_SORTS or stored is not None)
    if paged and params.sort == "status":
        page = status_walked(rows, key, params, rule)
    elif paged and params.sort == "name" and (params.filter or params.q.strip()):
        page = _by_name(user, params, rows, rule, never_collected(stale_at, today), unseen is not False)
    else:
        page = walked(rows, key, params, stored, computed) if walk else _sorted(rows, key, params, paged=paged)
    same_name = exists().where(Other.name == page.c.name, Other.id != page.c.id)
    hidden = ("reference", "sort_key", "sort_name", "summary_as_of")
    fields = [column for column in page.c if column.key not in hidden]
    reference = case((same_name, page.c.reference), else_=null()).label("reference")
    anomaly = exists().where(SpendAnomaly.organization_id == page.c.id, SpendAnomaly.status == "open")
    week = week_ago(now, Shown, page.c.summary_as_of, page.c.amount, page.c.currency)
    fields += [reference, anomaly.label("anomaly_open"), *(column.label(label) for label, column in week.items())]
    return (
        select(*fields)
        .select_from(page.outerjoin(Shown, week_ago_row(Shown, page.c.id, now)))
        .order_by(*order_by(page.c.sort_key, page.c.sort_name, page.c.id, params))
    )


def portfolio_page(user: User, params: PortfolioParams, *, now: datetime, interval_hours: float) -> PortfolioPage:
    """A page of the portfolio: two statements (the header's counts and the rows) whatever the size."""
    stale_at = stale_before(now, interval_hours)
    groups = header(user, params, now=now, stale_at=stale_at)
    shown = [group for group in groups if params.currency is None or group.currency == params.currency]
    counts = {key: sum(group.counts[key] for group in shown) for key in ("all", *FILTERS)}
    total = counts[params.filter or "all"]
    unseen = any(group.never_collected for group in groups)
    result = db.session.execute(portfolio_statement(user, params, now, stale_at, unseen=unseen))
    rows = list(_portfolio_rows(result, stale_at, utc_today(now)))
    return PortfolioPage(rows, params, groups, counts, total, page_count(total, params.per_page))


def portfolio_all(
    user: User, params: PortfolioParams, *, now: datetime, interval_hours: float
) -> Iterator[PortfolioRow]:
    """Every row of the list as shown (same search, filter and sort, no paging), for the CSV; streamed."""
    stale_at = stale_before(now, interval_hours)
    statement = portfolio_statement(user, params, now, stale_at, paged=False)
    yield from _portfolio_rows(db.session.execute(statement.execution_options(yield_per=500)), stale_at, utc_today(now))


def _portfolio_rows(result: Result[Any], stale_at: datetime, today: date) -> Iterator[PortfolioRow]:
    """The rows by column name, the names read once (row._mapping builds a view of them for every row)."""
    names = list(result.keys())
    for row in result:
        yield PortfolioRow(**dict(zip(names, row, strict=True)), stale_before=stale_at, today=today)
