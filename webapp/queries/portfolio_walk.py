"""The portfolio's figure sorts that an index can answer: the key is a stored summary column, indexed with the
tie-breakers (models.read_model.SORT_KEYS: key, sort_name, organization_id; sort_name is lower(organizations.name),
kept by triggers: migration 0013_portfolio_sort_keys), so a page is an index walk that stops after its rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, ColumnElement, Label, Select, Subquery, and_, func, select, union_all

from webapp.models import Organization
from webapp.queries.portfolio_header import PortfolioParams, S

# Sorts whose key is a stored summary column indexed with the tie-breakers (models.read_model.SORT_KEYS): a page
# is an index walk (walked). Name has its own index on organizations. Cost and change depend on today: they are
# walked where a stored column holds (Known below; change is not listed, its key being computed where it does not
# hold); status is walked in parts by queries.portfolio_status (page_of below).
INDEXED_SORTS = frozenset({"balance", "runway", "collected", "checked", "cost"})
# A key that is a stored column only where a condition holds: (the indexed column, the condition under which the
# key equals it and is not NULL; the key is NULL everywhere else). "Cost this month" is the stored month-to-date
# total when the stored month is this month: its index (mtd_year, mtd_month, mtd_total, sort_name,
# organization_id) is walked for this month's rows (migration 0014_portfolio_cost_sort). "7-day change" is change_7d
# where the summary's base is today's week-ago day (0015_portfolio_change_base); elsewhere its key is not NULL but
# computed, on the rows walked() is given as `computed` (portfolio_change.stored_change).
Known = tuple[ColumnElement[Any], ColumnElement[bool]]


def order_by(
    key: ColumnElement[Any], name: ColumnElement[Any], id_: ColumnElement[Any], params: PortfolioParams
) -> list[Any]:
    """The chosen column (nulls last either way; names are never null), then name A→Z, then id: a total order."""
    first = key.desc() if params.desc else key.asc()
    return [first if params.sort == "name" else first.nulls_last(), name.asc(), id_.asc()]


def walked(
    rows: Select[Any],
    key: Label[Any],
    params: PortfolioParams,
    stored: Known | None = None,
    computed: ColumnElement[bool] | None = None,
) -> Subquery:
    """The page of `rows` for a key stored on the summary: the ids with a key up to the page's end, an index
    walk on (key, sort_name, organization_id) (or on `stored`'s column where its condition holds) that stops
    there, and the rows matching `computed` (whose key is not stored: computed, sorted, up to the page's end);
    then, only when those are fewer (the page reaches the NULLs), the ids without one (a NULL key, or no summary
    row yet) by lower(name), id; the page's ids among them, then their rows. Only id, key and name go through
    the union: proxying every column of the rows through each subquery made building the statement cost more
    than running it."""
    end = params.page * params.per_page
    column, has_key = stored or (key.element, key.element.is_not(None))
    parts = [_first(rows.with_only_columns(Organization.id, column.label(key.name)), column, has_key, params, "known")]
    if computed is not None:
        with_key = and_(computed, key.element.is_not(None))
        parts.append(_first(rows.with_only_columns(Organization.id, key), key.element, with_key, params, "computed"))
    found = [select(func.count()).select_from(part).scalar_subquery() for part in parts]
    enough = sum(found[1:], found[0]) >= end
    ids = rows.with_only_columns(Organization.id, key)
    unknown = by_name(ids, key.element.is_(None), ~enough, end=end).subquery("unknown")
    return page_of(rows, [*(select(part) for part in parts), select(unknown)], params)


def summaries_by_name(
    rows: Select[Any], conditions: list[ColumnElement[bool]], params: PortfolioParams, *, never_collected: bool
) -> Subquery:
    """The name order of a filter or a search: the matching summaries by (sort_name, organization_id), read from
    the summary alone up to the page's end (an index-only walk of the name's index, or the filter's own index when
    few match), so the matches are not joined to every organisation to sort them; then, when the list may hold
    organisations never collected (`never_collected`: all of them unfiltered, stale, "needs attention", and the
    header counted some in the scope), those by name up to the page's end; then the page's rows."""
    ids = select(S.organization_id.label("id"), S.sort_name.label("sort_key"))
    parts = [select(_first(ids, S.sort_name, and_(*conditions), params, "known"))]
    if never_collected:
        name = func.lower(Organization.name)
        never = rows.with_only_columns(Organization.id, name.label("sort_key"), name.label("sort_name"))
        never = never.where(S.organization_id.is_(None)).order_by(
            *order_by(name, name, Organization.id.expression, params)
        )
        parts.append(select(never.limit(params.page * params.per_page).subquery("never")))
    return page_of(rows, parts, params)


def by_name(ids: Select[Any], *conditions: ColumnElement[bool], end: int) -> Select[Any]:
    """The ids (and keys) of the rows meeting the conditions by lower(name), id, up to the page's end."""
    name = func.lower(Organization.name)
    return ids.add_columns(name.label("sort_name")).where(*conditions).order_by(name, Organization.id).limit(end)


def page_of(rows: Select[Any], parts: list[Select[Any]], params: PortfolioParams) -> Subquery:
    """The page's rows among the parts' (id, sort_key, sort_name), which hold every row up to the page's end."""
    end = params.page * params.per_page
    both = union_all(*parts).subquery("walked")
    order = order_by(both.c.sort_key, both.c.sort_name, both.c.id, params)
    chosen = select(both.c.id, both.c.sort_name).order_by(*order).limit(params.per_page).offset(end - params.per_page)
    page = chosen.subquery("chosen")
    return rows.add_columns(page.c.sort_name).join(page, page.c.id == Organization.id).subquery("page")


def _first(
    ids: Select[int, Any], key: ColumnElement[Any], where: ColumnElement[bool], params: PortfolioParams, name: str
) -> CTE:
    """The ids (and keys) of the rows matching `where`, in the order up to the page's end."""
    end = params.page * params.per_page
    return (
        ids.add_columns(S.sort_name.label("sort_name"))
        .where(where)
        .order_by(*order_by(key, S.sort_name, S.organization_id, params))
        .limit(end)
        .cte(name)
    )
