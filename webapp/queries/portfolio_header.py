"""The portfolio's header: per currency (never summed across currencies), the balance under management,
this month's cost and how many organisations each filter keeps; one aggregate over the visible summaries.

Also what the rows statement shares with it: the parameters, the visible (searched, per-manager,
per-currency) organisations joined to their summary, and the filters as conditions on one summary row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, ScalarSelect, Select, Table, and_, case, func, null, or_, select, type_coerce

from webapp.domain import balance as balance_rules
from webapp.domain.freshness import stale_before_sql
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary, User, user_organizations
from webapp.models.read_model import STATUS_FIXED_WEIGHTS
from webapp.models.types import Money
from webapp.queries import snapshot_cache
from webapp.queries.organizations import visible_organizations_stmt

PER_PAGE = 25
FILTERS = ("attention", "overdrawn", "low-balance", "stale", "short-runway")
Summary = OrganizationSummary
S = cast(Table, Summary.__table__).c  # plain columns, typed for the domain's SQL twins


@dataclass(frozen=True, slots=True)
class PortfolioParams:
    """What the user asked for: search text, whose portfolio (admins), currency, filter, sort, page (1-based)."""

    q: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    filter: str | None = None
    manager: int | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class CurrencyGroup:
    """The visible organisations whose balance is in one currency (None: no balance collected yet)."""

    currency: str | None
    balance: Decimal | None
    cost: Decimal | None  # this month's cost of those billed in the same currency
    counts: dict[str, int]


# The headers computed lately, per database, scope, search, manager and stale window (see header()).
KEPT: snapshot_cache.SnapshotCache[list[CurrencyGroup]] = snapshot_cache.SnapshotCache()


def visible(user: User, params: PortfolioParams) -> Select[Any]:
    """The visible organisations matching the search, manager and currency, joined to their summary."""
    statement = visible_organizations_stmt(user).outerjoin(Summary, Summary.organization_id == Organization.id)
    if params.manager is not None:
        statement = statement.join(
            user_organizations,
            and_(
                user_organizations.c.organization_id == Organization.id,
                user_organizations.c.user_id == params.manager,
            ),
        )
    if params.currency is not None:
        statement = statement.where(S.balance_currency == params.currency)
    if params.q.strip():
        statement = statement.where(func.lower(Organization.name).contains(params.q.strip().lower(), autoescape=True))
    return statement


def this_month_cost(now: datetime) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The stored month-to-date cost and its currency, when the stored month is now's month."""
    month = Month.of(now)
    this_month = and_(S.mtd_year == month.year, S.mtd_month == month.month)
    return type_coerce(case((this_month, S.mtd_total), else_=null()), Money), case(
        (this_month, S.mtd_currency), else_=null()
    )


def utc_today(now: datetime) -> date:
    """The UTC day of `now`, which "runs out within 14 days" counts from."""
    return now.astimezone(UTC).date()


def rules(stale_at: datetime, today: date) -> dict[str, ColumnElement[bool]]:
    """Each filter as a condition on the summary row (the domain rules' SQL twins), "attention" any of them."""
    low = STATUS_FIXED_WEIGHTS["low-balance"]
    rule = {
        "overdrawn": balance_rules.overdrawn_sql(S.balance_amount),
        # under the threshold (domain.balance.is_low_balance over the summary's copy of the threshold) as stored in
        # status_fixed (models.read_model.STATUS_FIXED_SQL; tests prove they agree): one indexed condition
        "low-balance": S.status_fixed.in_((low, low + STATUS_FIXED_WEIGHTS["overdrawn"])),
        "stale": stale_before_sql(S.checked_at, stale_at),
        # "runs out within 14 days": the stored depletion forecast's expected day (indexed)
        "short-runway": balance_rules.runs_out_soon_sql(S.runs_out_on, today),
    }
    return {"attention": or_(*rule.values()), **rule}


def header(user: User, params: PortfolioParams, *, now: datetime, stale_at: datetime) -> list[CurrencyGroup]:
    """One group per balance currency of the visible (searched, per-manager) organisations, in code order,
    the organisations without a balance last. The currency choice does not narrow it (it is the menu).

    On PostgreSQL the answer is reused while it is still the answer (queries.snapshot_cache): nothing
    the aggregate reads has changed since its snapshot, no check has gone stale, the UTC day is the same."""
    reuse = snapshot_cache.supported(db.session)
    key = (*snapshot_cache.database_and_scope(db.session, user), params.q, params.manager, now - stale_at)
    kept = KEPT.get(db.session, key, now) if reuse else None
    if kept is not None:
        return list(kept)
    statement = _aggregate(user, params, now=now, stale_at=stale_at)
    if reuse:
        statement = statement.add_columns(*snapshot_cache.mark_columns(), _next_check(stale_at).label("next_check"))
    rows = db.session.execute(statement).all()
    groups = [_group(row) for row in rows]
    if reuse and rows:
        KEPT.put(key, groups, snapshot_cache.Marks.of(rows[0]), now, _valid_until(now, stale_at, rows[0]))
    return groups


def _aggregate(user: User, params: PortfolioParams, *, now: datetime, stale_at: datetime) -> Select[Any]:
    cost, cost_currency = this_month_cost(now)
    same_currency_cost = case((cost_currency == S.balance_currency, cost), else_=null())
    counts = [func.sum(case((rule, 1), else_=0)) for rule in rules(stale_at, utc_today(now)).values()]
    return (
        visible(user, PortfolioParams(q=params.q, manager=params.manager))
        .with_only_columns(
            S.balance_currency,
            func.sum(S.balance_amount),
            type_coerce(func.sum(same_currency_cost), Money),
            func.count(),
            *counts,
        )
        .group_by(S.balance_currency)
        .order_by(S.balance_currency.asc().nulls_last())
    )


def _group(row: Any) -> CurrencyGroup:
    currency, balance, month_cost, everyone, *numbers = row[: 4 + len(FILTERS)]
    counts = dict(zip(("all", *FILTERS), (int(n or 0) for n in (everyone, *numbers)), strict=True))
    return CurrencyGroup(currency, None if balance is None else Decimal(balance), month_cost, counts)


def _next_check(stale_at: datetime) -> ScalarSelect[Any]:
    """The oldest check that is not stale yet, of any organisation (the first to turn stale)."""
    return select(func.min(S.checked_at)).where(S.checked_at >= stale_at).scalar_subquery()


def _valid_until(now: datetime, stale_at: datetime, row: Any) -> datetime:
    """Until the next UTC midnight ("this month", "runs out within 14 days") or the moment the oldest
    fresh check turns stale, whichever comes first."""
    midnight = datetime.combine(utc_today(now) + timedelta(days=1), time.min, UTC)
    next_check = row._mapping["next_check"]
    return midnight if next_check is None else min(midnight, next_check + (now - stale_at))


def managers() -> list[User]:
    """Whose portfolio an admin can look at: the managers, by email."""
    return list(db.session.scalars(select(User).where(User.role == "manager").order_by(User.email)))
