"""The portfolio's header: per currency (never summed across currencies), the balance under management,
this month's cost and how many organisations each filter keeps; one aggregate over the visible summaries.

Also what the rows statement shares with it: the parameters, the visible (searched, per-manager,
per-currency) organisations joined to their summary, and the filters as conditions on one summary row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Table,
    and_,
    case,
    func,
    null,
    or_,
    select,
    true,
    type_coerce,
)

from webapp.domain import balance as balance_rules
from webapp.domain.freshness import is_stale_before, stale_before_sql
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary, User, user_organizations
from webapp.models.read_model import HEADER_COLUMNS, STATUS_FIXED_WEIGHTS
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
    never_collected: int = 0  # of the group without a currency: the organisations with no summary row yet


# The headers computed lately, per database, scope, search, manager and stale window (see header()).
KEPT: snapshot_cache.SnapshotCache[list[CurrencyGroup]] = snapshot_cache.SnapshotCache()


def visible_organizations(user: User, params: PortfolioParams) -> Select[Any]:
    """The visible organisations matching the search and manager (no summary: the currency is the summary's)."""
    statement = visible_organizations_stmt(user)
    if params.manager is not None:
        statement = statement.join(
            user_organizations,
            and_(
                user_organizations.c.organization_id == Organization.id,
                user_organizations.c.user_id == params.manager,
            ),
        )
    if params.q.strip():
        statement = statement.where(_named_like(params.q))
    return statement


def _named_like(q: str) -> ColumnElement[bool]:
    """The search: the text anywhere in the name, ignoring case (PostgreSQL: a trigram index, 0017)."""
    return func.lower(Organization.name).contains(q.strip().lower(), autoescape=True)


def visible(user: User, params: PortfolioParams) -> Select[Any]:
    """The visible organisations matching the search, manager and currency, joined to their summary."""
    statement = visible_organizations(user, params).outerjoin(Summary, Summary.organization_id == Organization.id)
    if params.currency is not None:
        statement = statement.where(S.balance_currency == params.currency)
    return statement


def visible_summaries(user: User, params: PortfolioParams) -> list[ColumnElement[bool]]:
    """visible() as conditions on the summary row, for the summaries of exactly the organisations it keeps:
    on their organisation_id (the search: through the name's index), no join to the organisations."""
    assigned = user_organizations.c
    conditions: list[ColumnElement[bool]] = [
        S.organization_id.in_(select(assigned.organization_id).where(assigned.user_id == user_id))
        for user_id in ((None if user.is_admin else user.id), params.manager)
        if user_id is not None
    ]
    if params.currency is not None:
        conditions.append(S.balance_currency == params.currency)
    if params.q.strip():
        conditions.append(_summary_named_like(params.q))
    return conditions


def _summary_named_like(q: str) -> ColumnElement[bool]:
    """_named_like on the summary's copy of lower(name) (sort_name, kept by triggers; PostgreSQL: its own trigram
    index, 0019), so a search narrows the summaries without a join to the organisations."""
    return S.sort_name.contains(q.strip().lower(), autoescape=True)


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
    rows = db.session.execute(statement).all()  # none only for a search that finds nothing
    groups = _groups(rows, never_collected(stale_at, utc_today(now))) if rows else []
    if reuse and rows:
        KEPT.put(key, groups, snapshot_cache.Marks.of(rows[0]), now, _valid_until(now, stale_at, rows[0]))
    return groups


def never_collected(stale_at: datetime, today: date) -> dict[str, bool]:
    """Which filters keep an organisation without a summary row yet (the domain rules on no figures at all)."""
    rule = {
        "overdrawn": balance_rules.is_overdrawn(None),
        "low-balance": balance_rules.is_low_balance(None, None),
        "stale": is_stale_before(None, stale_at),
        "short-runway": balance_rules.runs_out_soon(None, today),
    }
    return {"attention": any(rule.values()), **rule}


def _aggregate(user: User, params: PortfolioParams, *, now: datetime, stale_at: datetime) -> Select[Any]:
    """Per currency over the visible summaries alone (visible_summaries: no join to the organisations), beside
    the number of visible organisations; those without a summary row yet are the difference (_groups). The
    summaries are read in currency order, only the columns the figures need: on PostgreSQL an index-only scan of
    ix_organization_summaries_header (0018) grouped as it goes; a search reads the summaries whose sort_name
    contains its text (their trigram index, 0019), and counts the organisations through theirs (0017)."""
    scope = PortfolioParams(q=params.q, manager=params.manager)
    read = [S.balance_currency, *(S[name] for name in HEADER_COLUMNS)]
    ordered = select(*read).where(*visible_summaries(user, scope)).order_by(S.balance_currency).subquery("summaries")
    groups = select(*_figures(ordered.c, now, stale_at)).group_by(ordered.c.balance_currency).subquery("groups")
    organizations = visible_organizations(user, scope).with_only_columns(func.count(), maintain_column_froms=True)
    everyone = organizations.subquery("everyone")
    return (
        select(groups, everyone.c[0].label("organizations"))
        .select_from(everyone.outerjoin(groups, true()))
        .order_by(groups.c.currency.asc().nulls_last())
    )


def _figures(c: Any, now: datetime, stale_at: datetime) -> list[ColumnElement[Any]]:
    """A group's currency, balance, this month's cost in that currency, size and the count of each filter, from
    the summary columns `c` (the table's or a subquery's)."""
    month = Month.of(now)
    this_month = and_(c.mtd_year == month.year, c.mtd_month == month.month, c.mtd_currency == c.balance_currency)
    return [
        c.balance_currency.label("currency"),
        func.sum(c.balance_amount),
        type_coerce(func.sum(c.mtd_total).filter(this_month), Money),
        func.count().label("summaries"),
        *(func.count().filter(rule) for rule in counted(c, stale_at, utc_today(now)).values()),
    ]


def counted(c: Any, stale_at: datetime, today: date) -> dict[str, ColumnElement[bool]]:
    """rules() as the header evaluates them on every visible summary: the same conditions in the forms cheapest
        to evaluate (about a third less time on 10,000 rows): overdrawn and low balance as bits of status_fixed
        (8·overdrawn + 2·low, models.read_model) rather than the numeric comparison and the IN list; stale and runs out
    soon as rules() has them.
        tests/dashboard/test_portfolio_header_scopes.py holds the counts to the rows each filter lists."""
    low = STATUS_FIXED_WEIGHTS["low-balance"]
    rule = {
        "overdrawn": c.status_fixed >= STATUS_FIXED_WEIGHTS["overdrawn"],
        "low-balance": c.status_fixed.bitwise_and(low) == low,
        "stale": stale_before_sql(c.checked_at, stale_at),
        "short-runway": balance_rules.runs_out_soon_sql(c.runs_out_on, today),
    }
    both = c.status_fixed > 0
    return {"attention": or_(both, rule["stale"], rule["short-runway"]), **rule}


def _groups(rows: Sequence[Any], never: dict[str, bool]) -> list[CurrencyGroup]:
    """The groups of the summaries, the organisations without one (never collected) added to the group
    without a currency, which they join (as their rows do: no balance, so no currency)."""
    groups = [_group(row) for row in rows if row._mapping["summaries"] is not None]
    without = rows[0]._mapping["organizations"] - sum(group.counts["all"] for group in groups)
    if not without:
        return groups
    last = groups.pop() if groups and groups[-1].currency is None else CurrencyGroup(None, None, None, {})
    added = {"all": without, **{name: without * kept for name, kept in never.items()}}
    counts = {name: last.counts.get(name, 0) + added[name] for name in ("all", *FILTERS)}
    return [*groups, replace(last, counts=counts, never_collected=without)]


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
