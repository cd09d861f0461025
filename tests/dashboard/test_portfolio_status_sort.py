"""The portfolio sorted by status is walked (webapp/queries/portfolio_status.py, migration 0016_portfolio_status_sort)
and keeps the order as defined: more badges first (overdrawn 8 + stale 4 + low balance 2 + runs out within 14 days 1,
judged by the domain's Python rules), then lower(name), then id; organisations never collected count as stale. On
PostgreSQL a page is read without sorting every row."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, text

from tests.factories import make_org, make_user
from webapp.domain.balance import is_low_balance, is_overdrawn, runs_out_soon
from webapp.domain.freshness import is_stale_before
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary
from webapp.models.types import utcnow
from webapp.queries.portfolio import portfolio_statement
from webapp.queries.portfolio_header import FILTERS, PortfolioParams, utc_today

SUMMARY = OrganizationSummary.__table__
NOW = utcnow().replace(microsecond=0)
STALE_AT = NOW - timedelta(hours=6)
TODAY = utc_today(NOW)
NEVER = "never collected"  # no summary row
# name, currency, balance, threshold, hours after STALE_AT last checked (None: never), days after today it runs out
ROWS: list[tuple[Any, ...]] = [
    ("Able", "EUR", "50", None, 1, None),
    ("able", "EUR", "50", "100", 1, 30),  # low
    ("Baker", "EUR", "-5", None, 1, None),  # overdrawn
    ("baker", "EUR", "-5", "10", -1, None),  # overdrawn, stale, low
    ("Charlie", "EUR", "5", "10", 0, 14),  # checked at the cut-off (not stale), runs out on the 14th day
    ("Charlie", "EUR", "5", "10", 0, 15),  # the same name: the id decides
    ("Delta", "USD", "10", "10", None, None),  # at the threshold (not low), never checked (stale)
    ("delta", "USD", None, "5", 2, None),  # no balance yet
    ("Echo", "EUR", "0", "0", -3, -2),  # stale, the expected day past
    ("Foxtrot", "EUR", "1", "2", -1, 3),  # stale, low, short
    ("Golf", "EUR", "-1", "5", 1, 1),  # overdrawn, low, short
    ("Hotel", "EUR", "-1", None, -2, 0),  # overdrawn, stale, short
    ("India", "GBP", "-2", "1", -1, 2),  # every badge
    ("Juliet", "EUR", "100", None, 1, None),
    ("Kilo", "EUR", "3", None, -5, None),  # stale
    ("Dalton", NEVER, None, "5", None, None),  # among the stale by name
    ("Zulu", NEVER, None, None, None, None),
    ("Lima", "GBP", "5", "10", 1, 5),  # low, short
    ("Mike", "EUR", "7", None, 3, 14),  # short
    ("Nova", "EUR", "0.00000001", "0.00000002", 1, None),  # low by the last digit
]


def amount(text_: str | None) -> Decimal | None:
    return None if text_ is None else Decimal(text_)


@pytest.fixture
def portfolio(app):
    """The organisations of ROWS with their summaries stored as given (as the write path inserts them), and an
    admin; returns (admin, rows)."""
    rows = []
    for name, currency, balance, threshold, checked, runs_out in ROWS:
        org = make_org(name=name, low_balance_threshold=amount(threshold))
        values = {
            "balance_amount": amount(balance),
            "balance_currency": None if currency == NEVER else currency,
            "checked_at": None if checked is None else STALE_AT + timedelta(hours=checked),
            "runs_out_on": None if runs_out is None else TODAY + timedelta(days=runs_out),
        }
        if currency != NEVER:
            db.session.execute(insert(SUMMARY), [{"organization_id": org.id, **values}])
        rows.append({"id": org.id, "name": name, "threshold": amount(threshold), **values})
    return make_user(role="admin"), rows


def badges(row: dict, stale_at: datetime = STALE_AT) -> dict[str, bool]:
    """The row's badges by the domain's Python rules (the pages render these)."""
    return {
        "overdrawn": is_overdrawn(row["balance_amount"]),
        "stale": is_stale_before(row["checked_at"], stale_at),
        "low-balance": is_low_balance(row["balance_amount"], row["threshold"]),
        "short-runway": runs_out_soon(row["runs_out_on"], TODAY),
    }


def kept_by(filter_: str, row: dict) -> bool:
    return any(badges(row).values()) if filter_ == "attention" else badges(row)[filter_]


def expected(rows: list[dict], desc: bool, stale_at: datetime = STALE_AT) -> list[int]:
    weights = {"overdrawn": 8, "stale": 4, "low-balance": 2, "short-runway": 1}
    ordered = sorted(rows, key=lambda row: (row["name"].lower(), row["id"]))
    ordered.sort(key=lambda row: sum(w for name, w in weights.items() if badges(row, stale_at)[name]), reverse=desc)
    return [row["id"] for row in ordered]


def shown(user, params: PortfolioParams, *, paged: bool = True, stale_at: datetime = STALE_AT) -> list[int]:
    statement = portfolio_statement(user, params, NOW, stale_at, paged=paged)
    return [row.id for row in db.session.execute(statement)]


def every_page(user, per_page: int, stale_at: datetime = STALE_AT, **chosen) -> list[int]:
    ids: list[int] = []
    for page in range(1, len(ROWS) // per_page + 3):
        ids += shown(user, PortfolioParams(sort="status", page=page, per_page=per_page, **chosen), stale_at=stale_at)
    return ids


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_status_sort_keeps_its_order_with_ties_nulls_and_the_never_collected(portfolio, desc):
    admin, rows = portfolio
    order = expected(rows, desc)
    assert len(set(order)) == len(ROWS)
    assert shown(admin, PortfolioParams(sort="status", desc=desc)) == order
    assert shown(admin, PortfolioParams(sort="status", desc=desc), paged=False) == order  # the CSV's
    for per_page in (1, 3, 7):
        assert every_page(admin, per_page, desc=desc) == order


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("shift", [timedelta(days=-30), timedelta(days=30)], ids=["none-stale", "all-stale"])
def test_status_sort_when_no_check_or_every_check_is_stale(portfolio, desc, shift):
    """With no check stale (but the never checked) or every one: other parts of the walk carry the rows."""
    admin, rows = portfolio
    stale_at = STALE_AT + shift
    order = expected(rows, desc, stale_at)
    assert shown(admin, PortfolioParams(sort="status", desc=desc), stale_at=stale_at) == order
    assert every_page(admin, 2, stale_at, desc=desc) == order


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_status_sort_narrowed_by_search_manager_currency_and_each_filter(portfolio, desc):
    admin, rows = portfolio
    mine = [row for row in rows if row["name"].lower() in ("able", "delta", "dalton", "hotel", "nova")]
    manager = make_user(role="manager", organizations=[db.session.get(Organization, row["id"]) for row in mine])
    searched = [row for row in rows if "l" in row["name"].lower()]
    euros = [row for row in rows if row["balance_currency"] == "EUR"]
    assert shown(admin, PortfolioParams(sort="status", desc=desc, q="L")) == expected(searched, desc)
    assert shown(manager, PortfolioParams(sort="status", desc=desc)) == expected(mine, desc)
    assert shown(admin, PortfolioParams(sort="status", desc=desc, manager=manager.id)) == expected(mine, desc)
    assert every_page(admin, 2, currency="EUR", desc=desc) == expected(euros, desc)
    for name in FILTERS:
        kept = [row for row in rows if kept_by(name, row)]
        assert kept, name
        assert every_page(admin, 2, filter=name, desc=desc) == expected(kept, desc), name
        assert every_page(manager, 1, filter=name, desc=desc) == expected([r for r in kept if r in mine], desc), name


def test_an_organisation_created_later_is_listed_among_the_stale(portfolio):
    admin, rows = portfolio
    created = make_org(name="Dam", low_balance_threshold=Decimal("1"))
    unknown = dict.fromkeys(("balance_amount", "balance_currency", "checked_at", "runs_out_on"))
    rows.append({"id": created.id, "name": "Dam", "threshold": Decimal("1"), **unknown})
    for desc in (False, True):
        order = expected(rows, desc)
        assert shown(admin, PortfolioParams(sort="status", desc=desc)) == order
        assert every_page(admin, 4, desc=desc) == order


def plan(statement, analyze: bool = False) -> dict:
    compiled = statement.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    return db.session.execute(text(f"EXPLAIN ({options}) {compiled}")).scalar()[0]["Plan"]


def nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


@pytest.mark.postgresql
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_status_sort_walks_an_index_and_sorts_no_more_than_a_few_pages_on_postgresql(portfolio, backend, desc):
    """Without sequential scans: the rows with no clock-bound badge are an index walk that stops after the page
    (no sort), the never collected are read behind a one-time filter, and no sort reads more rows than a few
    pages' ends, though 100 healthy organisations come before the rest. On 10,000 organisations the planner
    chooses this plan by itself (docs/performance.md, "Status sort as index walks")."""
    if backend != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    admin, _ = portfolio
    healthy = [make_org(name=f"Healthy {n:03d}") for n in range(100)]
    fresh = {"balance_amount": Decimal("1000"), "balance_currency": "EUR", "checked_at": NOW}
    db.session.execute(insert(SUMMARY), [{"organization_id": org.id, **fresh} for org in healthy])
    db.session.execute(text("ANALYZE organization_summaries"))
    params = PortfolioParams(sort="status", desc=desc, per_page=5)
    found = plan(portfolio_statement(admin, params, NOW, STALE_AT), analyze=True)
    walk = next(node for node in nodes(found) if node.get("Subplan Name") == "CTE status_walk")
    fresh = walk["Plans"][0]  # the first part: no clock-bound badge (queries.portfolio_status.PARTS)
    scans = [node for node in nodes(fresh) if "Index Name" in node and node["Relation Name"] == SUMMARY.name]
    assert [scan["Index Name"] for scan in scans] == [f"ix_organization_summaries_status_fixed_sort{'_desc' * desc}"]
    assert not [node for node in nodes(fresh) if node["Node Type"] == "Sort"]
    assert any("One-Time Filter" in node for node in nodes(found))
    sorted_rows = [node["Plans"][0]["Actual Rows"] for node in nodes(found) if node["Node Type"] == "Sort"]
    assert sorted_rows and max(sorted_rows) <= 4 * 5, sorted_rows  # the parts' rows up to the page's end
