"""The 7-day change sort walks the stored change where the summary's base is today's week-ago day (migration
0015_portfolio_change_base) and computes the others: the same order as before (the change, NULLs last either way,
then lower(name), then id) whatever day each base is of, however wrong a base of another day would be today."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from tests.dashboard.helpers import block, plan, shown
from tests.factories import make_org, make_user
from webapp.domain.freshness import stale_before
from webapp.domain.week_change import day_start, week_ago_day
from webapp.extensions import db
from webapp.models import Organization, OrganizationDailyFigure, OrganizationSummary
from webapp.models.types import utcnow
from webapp.queries.portfolio import portfolio_statement
from webapp.queries.portfolio_header import PortfolioParams
from webapp.read_model.change_base import with_change_base

SUMMARY, DAILY = OrganizationSummary.__table__, OrganizationDailyFigure.__table__
ROW, BEFORE, AFTER = "row", "before", "after"  # a daily row that day; none, the ledger ended before it / began after
# name, currency, balance, the week-ago day's case and closing balance; the change: balance - closing (or 0 / NULL)
ROWS = [
    ("Beta", "EUR", "10.00", ROW, "4.00"),  # 6
    ("alpha", "EUR", "16.00", ROW, "10.00"),  # 6: ties with Beta, before it by name
    ("Alpha", "USD", "-4.00", ROW, "1.00"),  # -5
    ("Gamma", "EUR", None, ROW, "3.00"),  # no balance: NULL
    ("beta", "EUR", "-4.00", BEFORE, None),  # 0: nothing moved since
    ("Delta", "USD", "99.50", AFTER, None),  # NULL: nothing to compare with
    ("delta", "EUR", "10.00", ROW, None),  # NULL: no balance that day
    ("Alpha", "EUR", "0.00", ROW, "-6.00"),  # 6: the same name as "alpha", the id decides
    ("Epsilon", None, None, None, None),  # never collected: no summary row
    ("Zeta", "EUR", "3.00", BEFORE, None),  # 0
    ("Eta", "EUR", "500.00", ROW, "0.00"),  # 500
]
# Whose base each row has: today's (as the write path stores it), another day's with an amount that would be wrong
# today, or none (written before 0015). "mixed" cycles through them.
BASES = ("today", "yesterday", "tomorrow", "none")


def change(row: dict) -> Decimal | None:
    if row["balance"] is None or row["case"] == AFTER or (row["case"] == ROW and row["closing"] is None):
        return None
    return row["balance"] - (row["closing"] if row["case"] == ROW else row["balance"])


def expected(rows: list[dict], desc: bool) -> list[int]:
    by_name = sorted(rows, key=lambda row: (row["name"].lower(), row["id"]))
    known = sorted((row for row in by_name if change(row) is not None), key=change, reverse=desc)  # stable
    return [row["id"] for row in [*known, *(row for row in by_name if change(row) is None)]]


def store(org_id: int, currency: str | None, balance: str | None, case: str, closing: str | None, base: str) -> None:
    now = utcnow()
    day = week_ago_day(now)
    if case == ROW:
        figures = {"closing_balance": None if closing is None else Decimal(closing), "balance_currency": currency}
        zero = {"top_ups": Decimal(0), "spend": Decimal(0), "spend_currency": None, "spend_by_service": {}}
        db.session.execute(insert(DAILY), [{"organization_id": org_id, "day": day, **figures, **zero}])
    as_of = day_start(day) - timedelta(hours=1) if case == BEFORE else now - timedelta(hours=1)
    amount = None if balance is None else Decimal(balance)
    values = {"organization_id": org_id, "as_of": as_of, "balance_amount": amount, "balance_currency": currency}
    if base == "today":
        values = with_change_base(db.session, values, now=now)
    elif base != "none":
        other = day + timedelta(days=-1 if base == "yesterday" else 1)
        values |= {"change_base_day": other, "change_base_amount": Decimal("-1234.5")}
    db.session.execute(insert(SUMMARY), [values])


@pytest.fixture(params=[*BASES, "mixed"])
def portfolio(app, request):
    """The organisations of ROWS, their summaries and week-ago daily figures stored as given, each summary with a
    base of the day the parameter says; returns (admin, rows)."""
    rows = []
    for n, (name, currency, balance, case, closing) in enumerate(ROWS):
        org = make_org(name=name)
        if case is not None:
            store(org.id, currency, balance, case, closing, BASES[n % 4] if request.param == "mixed" else request.param)
        amount = None if balance is None else Decimal(balance)
        rows.append({"id": org.id, "name": name, "currency": currency, "balance": amount, "case": case})
        rows[-1]["closing"] = None if closing is None else Decimal(closing)
    return make_user(role="admin"), rows


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_the_change_sort_keeps_its_order_whatever_day_the_bases_are_of(portfolio, desc):
    admin, rows = portfolio
    order = expected(rows, desc)
    assert shown(admin, PortfolioParams(sort="change", desc=desc)) == order
    pages = [shown(admin, PortfolioParams(sort="change", desc=desc, page=n, per_page=4), paged=True) for n in (1, 2, 3)]
    assert [id_ for page in pages for id_ in page] == order
    assert shown(admin, PortfolioParams(sort="change", desc=desc, page=4, per_page=4), paged=True) == []


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_the_change_sort_narrowed_by_search_manager_currency_and_filter(portfolio, desc):
    admin, rows = portfolio
    mine = [row for row in rows if row["name"].lower() in ("alpha", "delta", "epsilon")]
    manager = make_user(role="manager", organizations=[db.session.get(Organization, row["id"]) for row in mine])
    narrowed = {
        "q": ([row for row in rows if "ta" in row["name"].lower()], {"q": "TA"}),
        "manager": (mine, {"manager": manager.id}),
        "currency": ([row for row in rows if row["currency"] == "EUR"], {"currency": "EUR"}),
        "filter": ([row for row in rows if (row["balance"] or 0) < 0], {"filter": "overdrawn"}),
    }
    for subset, params in narrowed.values():
        for per_page in (25, 2):
            pages = [
                shown(admin, PortfolioParams(sort="change", desc=desc, page=n, per_page=per_page, **params), paged=True)
                for n in range(1, 7)
            ]
            assert [id_ for page in pages for id_ in page] == expected(subset, desc), params
    assert shown(manager, PortfolioParams(sort="change", desc=desc)) == expected(mine, desc)


def test_shown_change_is_the_same_as_before(portfolio):
    """The rows' own 7-day change (shown, and in the CSV) is still read from the daily figures of the page's rows."""
    admin, rows = portfolio
    now = utcnow()
    statement = portfolio_statement(admin, PortfolioParams(sort="change", desc=True), now, stale_before(now, 3.0))
    found = {row.id: row for row in db.session.execute(statement)}
    for row in rows:
        week = found[row["id"]].amount_week_ago
        assert (None if week is None or row["balance"] is None else row["balance"] - week) == change(row)


@pytest.mark.postgresql
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_the_change_sort_walks_todays_bases_on_postgresql(app, backend, desc):
    """Without sequential scans: the rows whose base is today's are read in the change index's order with no sort,
    the others from the same index's ranges either side of today, the NULLs behind a one-time filter."""
    if backend != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    for n, (name, currency, balance, case, closing) in enumerate(ROWS[:8]):
        store(make_org(name=name).id, currency, balance, case, closing, "today" if n % 2 else "yesterday")
    admin, now = make_user(role="admin"), utcnow()
    params = PortfolioParams(sort="change", desc=desc, per_page=3)
    explained = plan(portfolio_statement(admin, params, now, stale_before(now, 3.0)))
    known = block(explained, "CTE known")
    index = f"ix_organization_summaries_change_7d_sort{'_desc' if desc else ''}"
    assert f"using {index} on organization_summaries" in known and "Limit" in known and "Sort" not in known
    assert "change_base_day < " in block(explained, "CTE computed")
    assert "One-Time Filter" in explained


def test_a_change_beyond_an_amounts_bound_is_stored(app):
    """A difference of two amounts can reach twice their bound: change_7d has the room (NUMERIC(19, 8))."""
    org = make_org()
    huge = {"balance_amount": Decimal("9999999999.5"), "change_base_amount": Decimal("-9999999999.25")}
    db.session.execute(insert(SUMMARY), [{"organization_id": org.id, "change_base_day": utcnow().date(), **huge}])
    db.session.expire_all()
    assert db.session.get(OrganizationSummary, org.id).change_7d == Decimal("19999999998.75")
