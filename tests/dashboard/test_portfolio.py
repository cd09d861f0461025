"""Portfolio (issue 5 §1): figures, badges, search, sort, paging, partial swaps, CSV, few queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.dashboard_data import in_month, line, make_cost, make_spending, mark_checked, signed_in, table_rows
from tests.factories import make_balance, make_org
from tests.helpers import selects, sql_statements
from webapp.domain.balance import runway_days
from webapp.models.types import utcnow
from webapp.queries.portfolio import SORTS


def test_portfolio_shows_balance_cost_change_and_badges(app, client):
    now = utcnow()
    low = make_org(name="Low Ltd", low_balance_threshold=Decimal("500"))
    make_balance(low, "900.00", at=now - timedelta(days=10))
    make_balance(low, "120.50", at=now - timedelta(hours=1))
    mark_checked(low, now - timedelta(hours=1))
    make_cost(low, now.year, now.month, in_month(now, timedelta(hours=2)), [line("Compute", "300.00")])
    stale = make_org(name="Stale Ltd")
    make_balance(stale, "5000.00", at=now - timedelta(days=3))
    mark_checked(stale, now - timedelta(hours=7))  # > 2 × 3 h
    idle = make_org(name="Idle Ltd")
    make_balance(idle, "10.00", at=now - timedelta(days=40))
    mark_checked(idle, now)
    signed_in(client, role="admin")

    page = client.get("/").get_data(as_text=True)
    (low_row,) = [r for r in table_rows(page) if "Low Ltd" in r]
    assert "€120.50" in low_row and "€300.00" in low_row
    assert "-€779.50" in low_row  # 7-day change: 120.50 − 900.00
    assert "low balance" in low_row and "runs out soon" not in low_row and "stale" not in low_row
    assert 'title="No forecast: no spend in the last' in low_row  # only today's cost: no completed day has spend
    (stale_row,) = [r for r in table_rows(page) if "Stale Ltd" in r]
    assert ">stale<" in stale_row and "low balance" not in stale_row
    (idle_row,) = [r for r in table_rows(page) if "Idle Ltd" in r]
    assert "No forecast: no spend" in idle_row and "runs out soon" not in idle_row and ">ok<" in idle_row


def test_runway_rule():
    assert runway_days(Decimal("100"), Decimal("300")) == Decimal("10")  # 300 over 30 days = 10 a day
    assert runway_days(Decimal("100"), Decimal("0")) is None
    assert runway_days(Decimal("100"), None) is None
    assert runway_days(Decimal("-5"), Decimal("30")) == Decimal("0")


def test_search_sort_and_partial(app, client):
    for name, amount in (("Alpha", "30"), ("Beta", "10"), ("Alphabet", "20")):
        make_balance(make_org(name=name), amount)
    signed_in(client, role="admin")

    response = client.get("/?q=alph&sort=balance&dir=desc", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="portfolio-table"')
    assert "HX-Request" in response.headers["Vary"]
    names = [r.split("</a>")[0].rsplit(">", 1)[1] for r in table_rows(html)]
    assert names == ["Alpha", "Alphabet"]
    assert 'aria-sort="descending"' in html

    full = client.get("/?q=alph&sort=balance&dir=desc")
    assert "<html" in full.get_data(as_text=True) and "HX-Request" in full.headers["Vary"]
    assert 'value="alph"' in full.get_data(as_text=True)  # the search box keeps its state from the URL


def test_search_is_literal(app, client):
    make_balance(make_org(name="100% Cotton"), "1")
    make_balance(make_org(name="Plain"), "1")
    signed_in(client, role="admin")
    html = client.get("/?q=%25", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "100% Cotton" in html and "Plain" not in html


def test_bad_sort_or_page_is_400(app, client):
    signed_in(client, role="admin")
    assert client.get("/?sort=drop").status_code == 400
    assert client.get("/?page=0").status_code == 400
    assert client.get("/?dir=sideways").status_code == 400


def test_pagination_and_constant_query_count(app, client):
    orgs = [make_org(name=f"Org {i:03d}") for i in range(120)]
    for org in orgs:
        make_balance(org, "10")
        mark_checked(org)
    signed_in(client, role="admin")
    with sql_statements() as statements:
        html = client.get("/?page=5").get_data(as_text=True)
    assert "page 5 of 5" in html and "Org 119" in html and "Org 099" not in html
    assert len(table_rows(html)) == 20
    reads = selects(statements)
    assert len(reads) <= 6, reads  # session user, count, rows, nav alert count, alert badges (+ savepoint noise)


def test_csv_is_the_list_as_shown(app, client):
    now = utcnow()
    for name, amount in (("Alpha", "-3.10"), ("Beta", "10"), ("Alphabet", "20.5")):
        org = make_org(name=name)
        make_balance(org, amount)
        make_cost(org, now.year, now.month, in_month(now, timedelta(hours=1)), [line("Compute", "1.25")])
    signed_in(client, role="admin")
    response = client.get("/portfolio.csv?q=alph&sort=balance&dir=desc")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["Organization"] for r in rows] == ["Alphabet", "Alpha"]
    assert rows[1]["Balance"] == "-3.10" and rows[1]["Currency"] == "EUR"
    assert rows[0]["Month-to-date cost"] == "1.25"


def test_manager_sees_only_assigned_organisations(app, client):
    mine, other = make_org(name="Mine Ltd"), make_org(name="Other Ltd")
    signed_in(client, organizations=[mine])
    html = client.get("/").get_data(as_text=True)
    assert "Mine Ltd" in html and "Other Ltd" not in html
    assert "Other Ltd" not in client.get("/portfolio.csv").get_data(as_text=True)
    assert other.id not in [mine.id]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_column_sorts(app, client, sort, direction):
    now = utcnow()
    rich = make_org(name="Rich", low_balance_threshold=Decimal("10"))
    make_balance(rich, "900.00", at=now - timedelta(days=9))
    make_balance(rich, "1000.00", at=now - timedelta(hours=2))
    mark_checked(rich, now - timedelta(days=1))
    make_cost(rich, now.year, now.month, in_month(now, timedelta(hours=1)), [line("A", "30.00")])
    poor = make_org(name="Poor", low_balance_threshold=Decimal("10"))
    make_balance(poor, "5.00", at=now - timedelta(hours=1))
    mark_checked(poor, now)
    make_cost(poor, now.year, now.month, in_month(now, timedelta(hours=1)), [line("A", "3.00")])
    make_org(name="Empty")
    signed_in(client, role="admin")
    html = client.get(f"/?sort={sort}&dir={direction}", headers={"HX-Request": "true"}).get_data(as_text=True)
    names = [r.split("</a>")[0].rsplit(">", 1)[1] for r in table_rows(html)]
    # Empty has no figures (nulls sort last either way); Rich: stale (4); Poor: low balance (2).
    expected = {
        "name": (["Empty", "Poor", "Rich"], ["Rich", "Poor", "Empty"]),
        "balance": (["Poor", "Rich", "Empty"], ["Rich", "Poor", "Empty"]),
        "cost": (["Poor", "Rich", "Empty"], ["Rich", "Poor", "Empty"]),
        "change": (["Rich", "Empty", "Poor"], ["Rich", "Empty", "Poor"]),
        "runway": (["Empty", "Poor", "Rich"], ["Empty", "Poor", "Rich"]),  # none has a forecast: by name
        "collected": (["Rich", "Poor", "Empty"], ["Poor", "Rich", "Empty"]),
        "checked": (["Rich", "Poor", "Empty"], ["Poor", "Rich", "Empty"]),
        "status": (["Poor", "Empty", "Rich"], ["Empty", "Rich", "Poor"]),
    }[sort][direction == "desc"]
    assert names == expected


def test_runway_never_mixes_currencies(app, client):
    now = utcnow()
    org = make_org(name="Mixed Ltd")
    make_spending(org, balance="10.00", daily="1.00", now=now, cost_currency="USD")
    mark_checked(org)
    signed_in(client, role="admin")
    (row,) = table_rows(client.get("/?sort=runway").get_data(as_text=True))
    assert "No forecast: costs billed in USD, the balance is in EUR" in row and "runs out soon" not in row
