"""The portfolio sorted by status (more badges first) as index walks: two badges change only when something is
written and are stored (the summary's status_fixed: overdrawn 8 + low balance 2, migration 0016_portfolio_status_sort),
two move with the clock (stale 4, runs out within 14 days 1) and are judged here against now, never stored."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from sqlalchemy import ColumnElement, Label, Select, Subquery, case, func, literal, select, union_all

from webapp.models import Organization
from webapp.models.read_model import STATUS_FIXED_WEIGHTS
from webapp.queries.portfolio_header import PortfolioParams, S
from webapp.queries.portfolio_walk import by_name, order_by, page_of

# Each badge's weight in the key, heaviest first.
WEIGHTS = {"overdrawn": STATUS_FIXED_WEIGHTS["overdrawn"], "stale": 4, "low-balance": 2, "short-runway": 1}
CLOCK_BOUND = ("stale", "short-runway")
# The walk's parts, in this order: the rows with exactly these clock-bound badges (none, stale, runs out soon, both),
# whose key is status_fixed plus their weights.
PARTS = ((), ("stale",), ("short-runway",), CLOCK_BOUND)
# An organisation not yet collected has no summary row: never checked (stale), nothing else.
NEVER_COLLECTED = WEIGHTS["stale"]


def status_key(rule: dict[str, ColumnElement[bool]]) -> ColumnElement[Any]:
    """More badges first: overdrawn (8) + stale (4) + low balance (2) + short runway (1), from the filters' rules."""
    total: ColumnElement[Any] = literal(0)
    for name, weight in WEIGHTS.items():
        total = total + case((rule[name], weight), else_=0)
    return total


def stored_values(filter_: str | None, clock_bound: tuple[str, ...]) -> list[int]:
    """The status_fixed values of the rows that the filter keeps among those with exactly these clock-bound badges."""
    stored = tuple(STATUS_FIXED_WEIGHTS)
    values = []
    for chosen in (badges for size in range(len(stored) + 1) for badges in combinations(stored, size)):
        badges = (*chosen, *clock_bound)
        if filter_ is None or filter_ in badges or (filter_ == "attention" and badges):
            values.append(sum(WEIGHTS[badge] for badge in chosen))
    return sorted(values)


def status_walked(
    rows: Select[Any], key: Label[Any], params: PortfolioParams, rule: dict[str, ColumnElement[bool]]
) -> Subquery:
    """The page of `rows` sorted by status. One part per combination of the clock-bound badges (PARTS): within a
    part the key is status_fixed plus the part's weights, so each part walks (status_fixed, sort_name,
    organization_id) in the key's order up to the page's end (or, where the planner sees from the statistics that
    its condition is rare, sorts the rows found through the index on checked_at or runs_out_on); organisations
    without a summary row (never collected: stale) by name, read only when fewer than a page's end of rows come
    before their key. The page among them, then its rows (webapp.queries.portfolio_walk.page_of)."""
    end = params.page * params.per_page
    parts = [
        _part(rows, params, rule, badges, values)
        for badges in PARTS
        if (values := stored_values(params.filter, badges))  # none: the filter rules these badges out
    ]
    walk = union_all(*(select(part.subquery()) for part in parts)).cte("status_walk")  # (SQLite: no "(SELECT …)")
    before = walk.c.sort_key > NEVER_COLLECTED if params.desc else walk.c.sort_key < NEVER_COLLECTED
    ahead = select(func.count()).select_from(walk).where(before).scalar_subquery()
    ids = rows.with_only_columns(Organization.id, key)
    never = by_name(ids, S.organization_id.is_(None), ahead < end, end=end).subquery("never_collected")
    return page_of(rows, [select(walk), select(never)], params)


def _part(
    rows: Select[Any],
    params: PortfolioParams,
    rule: dict[str, ColumnElement[bool]],
    badges: tuple[str, ...],
    values: list[int],
) -> Select[Any]:
    """The summaries with exactly these clock-bound badges and one of these status_fixed, in the key's order."""
    offset = sum(WEIGHTS[badge] for badge in badges)
    clock = [rule[name] if name in badges else ~rule[name] for name in CLOCK_BOUND]
    key = (S.status_fixed + offset).label("sort_key")
    return (
        rows.with_only_columns(Organization.id, key, S.sort_name.label("sort_name"))
        .where(S.organization_id.is_not(None), S.status_fixed.in_(values), *clock)
        .order_by(*order_by(S.status_fixed, S.sort_name, S.organization_id, params))
        .limit(params.page * params.per_page)
    )
