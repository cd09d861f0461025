"""The portfolio's figure sorts read indexed keys (migration 0013_portfolio_sort_keys): the same order as
before (the key, NULLs last either way, then lower(name), then id), organisations without a summary row yet
included, and on PostgreSQL a page that is an index walk."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from tests.dashboard.helpers import block, plan, shown
from tests.factories import make_org, make_user
from webapp.domain.freshness import stale_before
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary
from webapp.models.types import utcnow
from webapp.queries.portfolio import INDEXED_SORTS, portfolio_statement
from webapp.queries.portfolio_header import PortfolioParams
from webapp.services.organizations import create_organization, update_organization

SUMMARY = OrganizationSummary.__table__
T0 = utcnow().replace(microsecond=0) - timedelta(days=3)
D0 = date(2027, 1, 10)
# name, currency, balance, hours after T0 changed and checked, days after D0 it runs out (None: NULL)
ROWS = [
    ("Beta", "EUR", "10.00", 5, 7, 3),
    ("alpha", "EUR", "10.00", 5, 7, 3),
    ("Alpha", "USD", "-4.00", 2, None, 9),  # overdrawn: runs out "before every date" whatever is stored
    ("Gamma", "EUR", None, None, 1, None),
    ("beta", "EUR", "-4.00", 2, 1, None),
    ("Delta", "USD", "99.50", 9, 7, 0),
    ("delta", "EUR", "10.00", None, None, 3),
    ("Alpha", "EUR", "0.00", 5, 2, 0),  # the same name as above: the id decides
    ("Epsilon", None, None, None, None, None),  # never collected: no summary row
]


# cost this month per row of ROWS: (stored month-to-date total, months before this one it belongs to)
COSTS = [
    ("5.00", 0),
    ("5.00", 0),
    ("9.00", 1),
    (None, None),
    ("1.00", 0),
    ("5.00", 0),
    ("2.00", 0),
    ("0.00", 0),
    (None, None),
]
THIS_MONTH = Month.of(utcnow())
this_month = (THIS_MONTH.year, THIS_MONTH.month)


def runway(balance: Decimal | None, runs_out_on: date | None) -> date | None:
    return date.min if balance is not None and balance < 0 else runs_out_on


KEYS = {
    "balance": lambda row: row["balance_amount"],
    "collected": lambda row: row["balance_changed_at"],
    "checked": lambda row: row["checked_at"],
    "runway": lambda row: runway(row["balance_amount"], row["runs_out_on"]),
    "cost": lambda row: row["mtd_total"] if (row["mtd_year"], row["mtd_month"]) == this_month else None,
}


@pytest.fixture
def portfolio(app):
    """The organisations of ROWS with their summaries stored as given (as the write path inserts them), and an
    admin; returns (admin, rows)."""
    rows = []
    for (name, currency, balance, changed, checked, runs_out), (cost, months_before) in zip(ROWS, COSTS, strict=True):
        org = make_org(name=name)
        month = None if months_before is None else THIS_MONTH.shift(-months_before)
        values = {
            "balance_amount": None if balance is None else Decimal(balance),
            "balance_currency": currency,
            "balance_changed_at": None if changed is None else T0 + timedelta(hours=changed),
            "checked_at": None if checked is None else T0 + timedelta(hours=checked),
            "runs_out_on": None if runs_out is None else D0 + timedelta(days=runs_out),
            "mtd_year": None if month is None else month.year,
            "mtd_month": None if month is None else month.month,
            "mtd_total": None if cost is None else Decimal(cost),
            "mtd_currency": None if cost is None else "EUR",
        }
        if name != "Epsilon":
            db.session.execute(insert(SUMMARY), [{"organization_id": org.id, **values}])
        rows.append({"id": org.id, "name": name, **values})
    return make_user(role="admin"), rows


def expected(rows: list[dict], sort: str, desc: bool) -> list[int]:
    """The order as defined: the key (NULLs last in both directions), then lower(name) A→Z, then id."""
    key = KEYS[sort]
    known = sorted((row for row in rows if key(row) is not None), key=lambda row: (row["name"].lower(), row["id"]))
    known.sort(key=key, reverse=desc)  # stable: equal keys keep the name, id order
    unknown = sorted((row for row in rows if key(row) is None), key=lambda row: (row["name"].lower(), row["id"]))
    return [row["id"] for row in [*known, *unknown]]


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", sorted(INDEXED_SORTS))
def test_figure_sorts_keep_their_order_with_ties_and_nulls(portfolio, sort, desc):
    admin, rows = portfolio
    order = expected(rows, sort, desc)
    assert shown(admin, PortfolioParams(sort=sort, desc=desc)) == order
    pages = [shown(admin, PortfolioParams(sort=sort, desc=desc, page=n, per_page=4), paged=True) for n in (1, 2, 3)]
    assert [id_ for page in pages for id_ in page] == order
    assert order[-1] == rows[-1]["id"] or KEYS[sort](rows[-1]) is None  # never collected: among the last


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", sorted(INDEXED_SORTS))
def test_figure_sorts_narrowed_by_search_manager_and_currency(portfolio, sort, desc):
    admin, rows = portfolio
    mine = [row for row in rows if row["name"].lower() in ("alpha", "delta", "epsilon")]
    manager = make_user(role="manager", organizations=[db.session.get(Organization, row["id"]) for row in mine])
    searched = [row for row in rows if "ta" in row["name"].lower()]
    euros = [row for row in rows if row["balance_currency"] == "EUR"]
    assert shown(admin, PortfolioParams(sort=sort, desc=desc, q="TA")) == expected(searched, sort, desc)
    assert shown(manager, PortfolioParams(sort=sort, desc=desc)) == expected(mine, sort, desc)
    assert shown(admin, PortfolioParams(sort=sort, desc=desc, manager=manager.id)) == expected(mine, sort, desc)
    assert shown(admin, PortfolioParams(sort=sort, desc=desc, currency="EUR")) == expected(euros, sort, desc)
    overdrawn = [row for row in rows if row["balance_amount"] is not None and row["balance_amount"] < 0]
    assert shown(admin, PortfolioParams(sort=sort, desc=desc, filter="overdrawn")) == expected(overdrawn, sort, desc)


def test_an_organisation_without_any_collection_is_listed_last_in_figure_sorts(portfolio):
    admin, rows = portfolio
    created = create_organization(name="Aardvark", provider_ref="aardvark-1")
    assert db.session.get(OrganizationSummary, created.id) is None  # no summary row until its first collection
    for sort in INDEXED_SORTS:
        nulls = [row for row in rows if KEYS[sort](row) is None]
        for desc in (False, True):
            ids = shown(admin, PortfolioParams(sort=sort, desc=desc))
            assert ids[len(rows) - len(nulls)] == created.id  # first of the NULLs: "aardvark" < every name
            first, last = (
                shown(admin, PortfolioParams(sort=sort, desc=desc, page=n, per_page=6), paged=True) for n in (1, 2)
            )
            assert [*first, *last] == ids


def test_sort_name_is_copied_when_a_summary_is_written_and_when_the_organisation_is_renamed(app):
    by_service = create_organization(name="Ünïcode Ltd", provider_ref="svc-1")
    db.session.execute(insert(Organization), [{"name": "Bulk ONE", "provider_account_ref": "bulk-1", "active": True}])
    bulk = db.session.scalar(select(Organization.id).where(Organization.provider_account_ref == "bulk-1"))
    db.session.execute(insert(SUMMARY), [{"organization_id": by_service.id}, {"organization_id": bulk}])
    lower = dict(db.session.execute(select(Organization.id, func.lower(Organization.name))).all())
    stored = dict(db.session.execute(select(SUMMARY.c.organization_id, SUMMARY.c.sort_name)).all())
    assert stored == lower and stored[bulk] == "bulk one"
    update_organization(by_service, name="Renamed Ltd", provider_ref="svc-1", threshold=None, active=True)
    db.session.flush()
    renamed = select(SUMMARY.c.sort_name).where(SUMMARY.c.organization_id == by_service.id)
    assert db.session.scalar(renamed) == "renamed ltd"
    db.session.execute(SUMMARY.delete().where(SUMMARY.c.organization_id == bulk))  # as every collection: replaced
    db.session.execute(insert(SUMMARY), [{"organization_id": bulk, "balance_amount": Decimal("-1")}])
    row = db.session.execute(select(SUMMARY).where(SUMMARY.c.organization_id == bulk)).one()
    assert row.sort_name == "bulk one" and row.runway_order == date.min


@pytest.mark.postgresql
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", sorted(INDEXED_SORTS))
def test_figure_sorts_walk_an_index_on_postgresql(portfolio, backend, sort, desc):
    """Without sequential scans, the rows with a key up to the page's end are read in the key's index order
    with no sort, and the rows without one behind a one-time filter (only read when the page reaches them).
    On 10,000 organisations the planner chooses this plan by itself (docs/performance.md)."""
    if backend != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    admin, _ = portfolio
    column = {
        "balance": "balance_amount",
        "collected": "balance_changed_at",
        "checked": "checked_at",
        "cost": "mtd_total",
    }.get(sort, "runway_order")
    now = utcnow()
    explained = plan(portfolio_statement(admin, PortfolioParams(sort=sort, desc=desc), now, stale_before(now, 3.0)))
    known = block(explained, "CTE known")
    assert f"using ix_organization_summaries_{column}_sort{'_desc' if desc else ''} on organization_summaries" in known
    assert "Limit" in known and "Sort" not in known
    assert "One-Time Filter" in explained
