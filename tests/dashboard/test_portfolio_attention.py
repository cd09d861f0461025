"""Portfolio (issue 13 items 1, 2): overdrawn badge and "depleted" runway, the header per currency with its
counts as filter links, whose portfolio (admins), usual decimals with the exact value in a title, the
first click's direction, provider references for duplicate names."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.dashboard_data import in_month, line, make_cost, make_spending, mark_checked, signed_in, table_rows
from tests.factories import make_balance, make_org, make_user
from webapp.extensions import db
from webapp.models.types import utcnow


def _names(html: str) -> list[str]:
    return [r.split("</a>")[0].rsplit(">", 1)[1] for r in table_rows(html)]


def _row(html: str, name: str) -> str:
    (row,) = [r for r in table_rows(html) if f">{name}</a>" in r]
    return row


def _partial(client, query: str = "") -> str:
    response = client.get(f"/{query}", headers={"HX-Request": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


@pytest.fixture
def accounts(app):
    """Overdrawn without threshold and without spend; overdrawn with spend; running out in about 10 days and
    in about 333 (ten days of history each); USD ones (no forecast: one snapshot). Returns the EUR
    organisations' cost this month with a forecast (their history's share of this month)."""
    now = utcnow()
    bare = make_org(name="Bare Overdrawn", low_balance_threshold=None)
    make_balance(bare, "-3.00", at=now - timedelta(hours=2))
    mark_checked(bare, now)
    spending = make_org(name="Spending Overdrawn", low_balance_threshold=None)
    make_balance(spending, "-50.00", at=now - timedelta(hours=2))
    mark_checked(spending, now)
    make_cost(spending, now.year, now.month, in_month(now, timedelta(hours=1)), [line("A", "90.00")])
    short = make_org(name="Short")
    short_cost = make_spending(short, balance="100.00", daily="10.00", now=now)  # runs out in about 10 days
    mark_checked(short, now)
    rich = make_org(name="Rich")
    rich_cost = make_spending(rich, balance="1000.00", daily="3.00", now=now)  # in about 333 days
    mark_checked(rich, now)
    dollars = make_org(name="Dollar Ltd", low_balance_threshold=Decimal("50"))
    make_balance(dollars, "20.00", currency="USD", at=now - timedelta(hours=1))
    mark_checked(dollars, now)
    make_cost(dollars, now.year, now.month, in_month(now, timedelta(hours=1)), [line("A", "7.25")], currency="USD")
    return short_cost + rich_cost


def test_overdrawn_is_its_own_red_badge_and_runway_depleted_whatever_the_threshold(client, accounts):
    signed_in(client, role="admin")
    html = _partial(client)
    for name in ("Bare Overdrawn", "Spending Overdrawn"):
        row = _row(html, name)
        assert '<span class="badge bad" title="The balance is below zero">overdrawn</span>' in row
        assert "depleted" in row and "n/a" not in row and ">ok<" not in row
    assert "overdrawn</span>" not in _row(html, "Short") and "depleted" not in _row(html, "Rich")
    assert _names(_partial(client, "?filter=overdrawn")) == ["Bare Overdrawn", "Spending Overdrawn"]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("asc", ["Bare Overdrawn", "Spending Overdrawn", "Short", "Rich", "Dollar Ltd"]),
        ("desc", ["Rich", "Short", "Bare Overdrawn", "Spending Overdrawn", "Dollar Ltd"]),
    ],
)
def test_runway_sorts_the_depleted_first(client, accounts, direction, expected):
    signed_in(client, role="admin")
    assert _names(_partial(client, f"?sort=runway&dir={direction}")) == expected


def test_header_per_currency_never_sums_currencies_and_its_counts_are_filter_links(client, accounts):
    signed_in(client, role="admin")
    html = client.get("/").get_data(as_text=True)
    header = html.split('<section class="currency-summary"', 1)[1].split("</section>", 1)[0]
    eur, usd = header.split('<div class="currency-card')[1:]
    assert ">EUR</a>" in eur and "4 organisations" in eur
    assert "€1,047.00" in eur  # −3 − 50 + 100 + 1000: EUR only
    assert f"€{Decimal(90) + accounts:,.2f}" in eur  # this month's cost: 90 + Short's and Rich's
    assert ">USD</a>" in usd and "1 organisation<" in usd and "US$20.00" in usd and "US$7.25" in usd
    counts = dict(re.findall(r'href="/\?currency=EUR&amp;filter=([a-z-]+)"[^>]*>[^<]*<span class="count">(\d+)', eur))
    assert counts == {"attention": "3", "overdrawn": "2", "low-balance": "0", "stale": "0", "short-runway": "1"}
    assert 'href="/?currency=USD&amp;filter=low-balance"' in usd

    followed = _partial(client, "?currency=EUR&filter=short-runway")  # a plain link: the same URL without JS
    assert _names(followed) == ["Short"]  # overdrawn has no forecast: it has its own filter
    assert 'aria-current="true">Runs out within 14 days <span class="count">1<' in followed
    assert _names(_partial(client, "?currency=USD")) == ["Dollar Ltd"]
    assert client.get("/?currency=euro").status_code == 400


def test_admins_filter_by_manager_and_bad_managers_are_a_clear_4xx(client, accounts):
    from webapp.models import Organization

    short = db.session.query(Organization).filter_by(name="Short").one()
    rich = db.session.query(Organization).filter_by(name="Rich").one()
    manager = make_user(email="mia@example.test", organizations=[short, rich])
    db.session.commit()
    admin = signed_in(client, role="admin")
    page = client.get("/").get_data(as_text=True)
    assert '<label for="manager">Whose portfolio</label>' in page
    assert f'<option value="{manager.id}">mia@example.test</option>' in page
    html = _partial(client, f"?manager={manager.id}")
    assert _names(html) == ["Rich", "Short"]
    assert f'href="/?manager={manager.id}&amp;filter=attention"' in html  # links keep whose portfolio
    assert f'name="manager" value="{manager.id}"' in html  # and so does the search
    for bad in ("abc", "-1", "99999999", str(admin.id)):
        response = client.get(f"/?manager={bad}")
        assert response.status_code == 400, bad
        assert "manager" in response.get_data(as_text=True).lower()


def test_managers_cannot_look_at_another_portfolio(client, accounts):
    other = make_user(email="other@example.test")
    db.session.commit()
    signed_in(client)
    response = client.get(f"/?manager={other.id}")
    assert response.status_code == 403
    assert 'id="manager"' not in client.get("/").get_data(as_text=True)


def test_money_in_usual_decimals_with_the_exact_value_in_a_title(client, app):
    org = make_org(name="Precise")
    make_balance(org, "1234.5678")
    mark_checked(org)
    yen = make_org(name="Yen")
    make_balance(yen, "98765.4321", currency="JPY")
    mark_checked(yen)
    signed_in(client, role="admin")
    html = _partial(client)
    assert '<td class="num" title="1234.5678 EUR">€1,234.57</td>' in _row(html, "Precise")
    assert '<td class="num" title="98765.4321 JPY">JP¥98,765</td>' in _row(html, "Yen")


def test_first_click_sorts_the_useful_way(client, accounts):
    signed_in(client, role="admin")
    html = _partial(client)
    heads = dict(re.findall(r'data-sort="([a-z]+)" href="([^"]+)"', html))
    assert heads == {
        "name": "/?dir=desc",  # the current sort (A→Z): the next click reverses it
        "status": "/?sort=status&amp;dir=desc",
        "balance": "/?sort=balance",
        "change": "/?sort=change&amp;dir=desc",
        "cost": "/?sort=cost&amp;dir=desc",
        "runway": "/?sort=runway",
        "collected": "/?sort=collected",
        "checked": "/?sort=checked",
    }
    assert ">Unchanged since<" in html and "Last collected" not in html
    again = dict(re.findall(r'data-sort="([a-z]+)" href="([^"]+)"', _partial(client, "?sort=runway")))
    assert again["runway"] == "/?sort=runway&amp;dir=desc"


def test_duplicate_names_show_the_provider_reference(client, app):
    for ref in ("acme-eu-1", "acme-us-2"):
        make_balance(make_org(name="Acme", provider_account_ref=ref), "1")
    make_balance(make_org(name="Unique", provider_account_ref="unique-3"), "1")
    signed_in(client, role="admin")
    html = _partial(client)
    rows = [r for r in table_rows(html) if ">Acme</a>" in r]
    assert ["acme-eu-1" in rows[0] or "acme-eu-1" in rows[1], "acme-us-2" in rows[0] or "acme-us-2" in rows[1]] == [
        True,
        True,
    ]
    assert all('<span class="ref"' in row for row in rows)
    assert "unique-3" not in html


def test_runs_out_shows_the_expected_day_days_from_today_and_the_band(client, accounts):
    signed_in(client, role="admin")
    row = _row(_partial(client), "Short")
    found = re.search(
        r'title="80 % band: (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)"><time datetime="(\d{4}-\d\d-\d\d)">[^<]+</time>'
        r' <span class="muted">· (\d+) d</span>',
        row,
    )
    assert found, row
    earliest, latest, expected, days = found.groups()
    assert earliest <= expected <= latest
    assert 8 <= int(days) <= 13  # 100 left, 10 a day; it reads yesterday's close, the first day is a baseline (0)
    assert "runs out soon" in row
    assert "runs out soon" not in _row(_partial(client), "Rich")
