"""Organisation page (issue 5 §2): profile, balance card, step chart + range picker, movements, CSV."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

from tests.dashboard_data import mark_checked, signed_in
from tests.factories import make_balance, make_org
from webapp.models.types import utcnow


def figure_of(page: str) -> dict:
    match = re.search(r'data-figure="([^"]*)"', page)
    assert match, "no chart on the page"
    return json.loads(htmllib.unescape(match.group(1)))


def test_profile_card_chart_and_movements(app, client):
    now = utcnow()
    org = make_org(name="Acme Ltd")
    make_balance(org, "100.00", at=now - timedelta(days=200))
    make_balance(org, "80.00", at=now - timedelta(days=20))
    make_balance(org, "95.50", at=now - timedelta(days=2))
    mark_checked(org, now - timedelta(hours=1))
    signed_in(client, role="admin")

    response = client.get(f"/orgs/{org.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in (
        str(org.id),
        "Acme Ltd",
        org.created_at.strftime("%Y-%m-%d %H:%M"),
        org.updated_at.strftime("%Y-%m-%d"),
    ):
        assert field in page
    assert "€95.50" in page
    assert "Unchanged since " + (now - timedelta(days=2)).strftime("%Y-%m-%d") in page
    checked = (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    assert "last checked <time" in page and f'title="{checked} UTC">1 hour ago</time>' in page  # SPEC §11
    assert "Data may be out of date" not in page
    assert "€80.00" in page and "+€15.50" in page and "-€20.00" in page  # movements with deltas

    figure = figure_of(page)  # default 90 d: starts with the balance in force 90 days ago
    trace = figure["data"][0]
    assert trace["line"]["shape"] == "hv" and figure["layout"]["template"] == "none"
    assert trace["y"] == [100.0, 80.0, 95.5, 95.5]
    assert 'id="balance-chart"' in page and 'hx-target="#balance-chart"' in page


def test_range_picker_swaps_only_the_chart(app, client):
    now = utcnow()
    org = make_org()
    make_balance(org, "100.00", at=now - timedelta(days=200))
    make_balance(org, "80.00", at=now - timedelta(days=20))
    signed_in(client, role="admin")
    response = client.get(f"/orgs/{org.id}?range=all", headers={"HX-Request": "true"})
    partial = response.get_data(as_text=True)
    assert "<html" not in partial and partial.lstrip().startswith('<section id="balance-chart"')
    assert "HX-Request" in response.headers["Vary"]
    assert figure_of(partial)["data"][0]["y"] == [100.0, 80.0, 80.0]
    assert "Recent movements" not in partial
    thirty = figure_of(client.get(f"/orgs/{org.id}?range=30d", headers={"HX-Request": "true"}).get_data(as_text=True))
    assert thirty["data"][0]["y"] == [100.0, 80.0, 80.0]  # in force at the start of the range, then the move
    assert client.get(f"/orgs/{org.id}?range=5y").status_code == 400


def test_stale_warning(app, client):
    org = make_org()
    make_balance(org, "1.00", at=utcnow() - timedelta(days=1))
    mark_checked(org, utcnow() - timedelta(hours=10))
    signed_in(client, role="admin")
    assert "Data may be out of date" in client.get(f"/orgs/{org.id}").get_data(as_text=True)


def test_empty_organisation(app, client):
    org = make_org(low_balance_threshold=Decimal("250"))
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "No balance collected yet" in page and "No balance history in this range" in page
    assert "has never been checked" in page
    assert "Low-balance threshold: 250.00 in the account's currency" in page  # no currency guessed


def test_history_csv_for_the_range(app, client):
    now = utcnow()
    org = make_org(name="Acme Ltd")
    make_balance(org, "100.00", at=now - timedelta(days=200))
    make_balance(org, "80.00", at=now - timedelta(days=20))
    make_balance(org, "-3.10", at=now - timedelta(days=1))
    signed_in(client, role="admin")
    response = client.get(f"/orgs/{org.id}/balance.csv?range=30d")
    assert response.mimetype == "text/csv" and f"org{org.id}-30d" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [(r["Previous amount"], r["Amount"], r["Change"]) for r in rows] == [
        ("80.00", "-3.10", "-83.10"),
        ("100.00", "80.00", "-20.00"),
    ]
    assert rows[0]["Collected at (UTC)"] == f"{now - timedelta(days=1):%Y-%m-%d %H:%M:%S}"
    assert rows[0]["Currency"] == "EUR"
    everything = client.get(f"/orgs/{org.id}/balance.csv?range=all").get_data(as_text=True)
    assert everything.strip().splitlines()[-1].split(",")[3:6] == ["", "100.00", ""]


def shape_names(figure: dict) -> list[str]:
    return [shape["name"] for shape in figure["layout"]["shapes"]]


def test_chart_has_the_zero_line_and_the_threshold_line_only_when_set(app, client):
    now = utcnow()
    plain, guarded = make_org(), make_org(low_balance_threshold=Decimal("50"))
    for org in (plain, guarded):
        make_balance(org, "100.00", at=now - timedelta(days=5))
    signed_in(client, role="admin")
    assert shape_names(figure_of(client.get(f"/orgs/{plain.id}").get_data(as_text=True))) == ["zero"]
    page = client.get(f"/orgs/{guarded.id}").get_data(as_text=True)
    figure = figure_of(page)
    assert shape_names(figure) == ["zero", "low-balance threshold"]
    assert figure["layout"]["shapes"][1]["y0"] == 50.0
    assert figure["layout"]["shapes"][1]["label"]["text"] == "Low-balance threshold €50.00"
    assert "low-balance threshold €50.00" in page  # the chart's text alternative says so too


def test_long_ranges_draw_daily_closing_balances_and_mark_top_ups(app, client):
    now = utcnow()
    day = (now - timedelta(days=3)).replace(hour=6, minute=0, second=0, microsecond=0)
    org = make_org()
    make_balance(org, "100.00", at=day)
    make_balance(org, "20.00", at=day + timedelta(hours=2))  # spent: the day's low, not a closing balance
    make_balance(org, "520.00", at=day + timedelta(hours=4))  # topped up by 500
    make_balance(org, "510.00", at=day + timedelta(hours=6))
    signed_in(client, role="admin")
    every = figure_of(client.get(f"/orgs/{org.id}?range=90d").get_data(as_text=True))
    assert every["data"][0]["y"] == [100.0, 20.0, 520.0, 510.0, 510.0]
    assert every["data"][1]["y"] == [520.0] and every["data"][1]["x"] == [f"{day + timedelta(hours=4):%Y-%m-%d %H:%M}"]
    for range_key in ("1y", "all"):
        page = client.get(f"/orgs/{org.id}?range={range_key}").get_data(as_text=True)
        daily = figure_of(page)
        assert daily["data"][0]["y"] == [510.0, 510.0]  # the day's closing balance, held until now
        assert daily["data"][0]["x"][0] == f"{day + timedelta(days=1):%Y-%m-%d} 00:00"
        assert daily["data"][1]["customdata"] == [
            f"Top-ups on {day:%Y-%m-%d} (UTC day): +€500.00<br>closing balance €510.00"
        ]
        assert "daily closing balances" in page and "change points" not in page


def test_a_range_longer_than_the_history_says_so(app, client):
    now = utcnow()
    org = make_org()
    first = now - timedelta(days=6, hours=20)
    make_balance(org, "100.00", at=first)
    make_balance(org, "90.00", at=now - timedelta(days=1))
    signed_in(client, role="admin")
    for range_key in ("30d", "90d", "1y"):
        page = client.get(f"/orgs/{org.id}?range={range_key}").get_data(as_text=True)
        assert f"History starts {first:%Y-%m-%d %H:%M} UTC; showing all 7 days." in page, range_key
    assert "History starts" not in client.get(f"/orgs/{org.id}?range=all").get_data(as_text=True)
    older = make_org()
    make_balance(older, "5.00", at=now - timedelta(days=40))
    assert "History starts" not in client.get(f"/orgs/{older.id}?range=30d").get_data(as_text=True)
    assert "showing all 40 days" in client.get(f"/orgs/{older.id}?range=90d").get_data(as_text=True)


def test_a_year_with_nothing_collected_still_shows_the_balance_in_force(app, client):
    now = utcnow()
    org = make_org()
    make_balance(org, "42.00", at=now - timedelta(days=400))  # the read model's days end there
    signed_in(client, role="admin")
    for range_key in ("90d", "1y"):
        line = figure_of(client.get(f"/orgs/{org.id}?range={range_key}").get_data(as_text=True))["data"][0]
        assert line["y"] == [42.0, 42.0], range_key
        assert line["x"][0] >= f"{now - timedelta(days=366):%Y-%m-%d %H:%M}", range_key  # drawn from the range's start


def test_chart_hover_and_movements_show_the_currencys_decimals_with_the_exact_value_in_a_title(app, client):
    now = utcnow()
    org = make_org()
    make_balance(org, "100.00", at=now - timedelta(days=3))
    make_balance(org, "2381.5736", at=now - timedelta(days=1))
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert figure_of(page)["data"][0]["customdata"][-1] == "€2,381.57"
    movements = page.split('id="movements-heading"', 1)[1]
    assert '<td class="num" title="2381.5736 EUR">€2,381.57</td>' in movements
    assert 'title="2281.5736 EUR"><span class="up">+€2,281.57</span>' in movements
    assert "2,381.5736" not in page  # nowhere shown with more decimals than the currency has


def test_the_balance_chart_is_drawn_in_the_viewers_time_zone(app, client):
    org = make_org()
    make_balance(org, "80.00", at=utcnow() - timedelta(days=2))
    user = signed_in(client, organizations=[org])
    user.time_zone = "Asia/Tokyo"
    from webapp.extensions import db

    db.session.commit()
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    figure = json.loads(htmllib.unescape(re.search(r'data-figure="([^"]+)"', page).group(1)))
    assert figure["layout"]["xaxis"]["title"]["text"] == "Asia/Tokyo"
    assert "Asia/Tokyo" in figure["data"][0]["hovertemplate"]
