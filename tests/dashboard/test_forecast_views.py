"""Forecasts where people look (issue 14 §4): the organisation page's projection to zero with its 80 % band
and the "Runs out" card, or "No forecast" and why; the cost page's projected month total with its band, the
accrual chart's previous month and projection; a closed month shows only its actual."""

from __future__ import annotations

import calendar
import html as htmllib
import json
import re
from datetime import timedelta
from decimal import Decimal

from tests.dashboard_data import line, make_cost, make_daily_spend, page_text, signed_in
from tests.factories import make_balance, make_org
from webapp.domain.months import Month
from webapp.models.types import utcnow


def figures_of(page: str) -> list[dict]:
    return [json.loads(htmllib.unescape(found)) for found in re.findall(r'data-figure="([^"]*)"', page)]


def names(figure: dict) -> list[str]:
    return [trace.get("name", "") for trace in figure["data"]]


def test_the_organisation_page_projects_the_balance_to_zero_with_its_band(app, client):
    now = utcnow()
    as_of = now.date() - timedelta(days=1)
    org = make_org(low_balance_threshold=Decimal("500"))
    make_balance(org, "720.00", at=now - timedelta(hours=2))
    make_daily_spend(org, last=as_of, days=28, spend="10", closing_last="720")
    signed_in(client, role="admin")

    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    zero_day, threshold_day = as_of + timedelta(days=72), as_of + timedelta(days=22)
    (figure,) = figures_of(page)
    assert names(figure)[-3:] == ["80 % band (earliest)", "80 % band (latest)", "projection"]
    projection = figure["data"][-1]
    assert projection["y"] == [720.0, 0.0] and projection["line"]["dash"] == "dash"
    assert projection["x"][1] == f"{(zero_day + timedelta(days=1)).isoformat()} 00:00"
    assert figure["data"][-2]["fill"] == "tonexty"
    card = page.split('id="runs-out"', 1)[1].split("</div>", 1)[0]
    # counted from today, as the portfolio's "Runs out" column counts (72 days after as_of = 71 from today)
    assert f"<strong>{zero_day.isoformat()}</strong> (in 71 days)" in card and "80 % band " in card
    assert f"Below the low-balance threshold: <strong>{threshold_day.isoformat()}</strong>" in card
    assert "weekday-median-28d" in card and f"as of {as_of.isoformat()}" in card
    assert "no further top-up" in card and "spend that keeps rising runs out sooner" in card  # what it assumes
    assert "today's top-ups" not in card  # none came in today
    assert 'id="no-forecast"' not in page


def test_a_top_up_today_moves_the_runs_out_card_at_once(app, client):
    now = utcnow()
    as_of = now.date() - timedelta(days=1)
    org = make_org()
    make_balance(org, "720.00", at=now - timedelta(hours=2))
    make_daily_spend(org, last=as_of, days=28, spend="10", closing_last="720", then_top_up="500")
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    card = page.split('id="runs-out"', 1)[1].split("</div>", 1)[0]
    # 720 at the end of as_of plus the 500 that came in today, at 10 a day (today's spend counted whole)
    zero_day = as_of + timedelta(days=122)
    assert f"<strong>{zero_day.isoformat()}</strong> (in 121 days)" in card, card
    assert "plus today's top-ups of €500.00" in card
    (figure,) = figures_of(page)
    start = figure["data"][-1]["customdata"][0]  # the projection starts from that balance, and says so
    assert start == f"{as_of.isoformat()} closing (UTC day) + today's top-ups €500.00<br>€1,220.00"


def test_no_forecast_and_why_when_the_history_is_short(app, client):
    now = utcnow()
    org = make_org()
    make_balance(org, "80.00", at=now - timedelta(minutes=30))
    make_daily_spend(org, last=now.date() - timedelta(days=1), days=3, spend="5", closing_last="80")
    signed_in(client, role="admin")

    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "No forecast: fewer than 7 days of history (3)" in page
    assert 'id="no-forecast"' in page
    (figure,) = figures_of(page)
    assert "projection" not in names(figure)
    chart = client.get(f"/orgs/{org.id}?range=30d", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="no-forecast"' in chart and "fewer than 7 days" in chart  # the swapped partial says it too


def test_the_cost_page_projects_the_month_total_with_its_band(app, client):
    now = utcnow()
    month = Month.of(now)
    org = make_org()
    make_cost(org, *month.previous, month.previous.start + timedelta(days=1), [line("Compute", "10.00")])
    make_cost(org, *month, now - timedelta(minutes=5), [line("Compute", "5.00")])
    make_daily_spend(org, last=now.date() - timedelta(days=1), days=40, spend="10", closing_last="5000")
    signed_in(client, role="admin")

    page = client.get(f"/orgs/{org.id}/costs?month={month.key}").get_data(as_text=True)
    card = page.split('id="projected-total"', 1)[1].split("</div>", 1)[0]
    expected_total = 10 * calendar.monthrange(month.year, month.month)[1]  # 10 a day, no fees: known answer
    assert "Projected month total" in card and f"€{expected_total}.00" in card
    assert "80 % band €" in page_text(card) and "weekday-median-28d" in card
    accrual = figures_of(page)[-1]
    assert names(accrual) == ["previous month", "this month", "80 % band (low)", "80 % band (high)", "projection"]
    assert accrual["data"][-1]["y"][1] == float(expected_total)
    assert accrual["data"][0]["x"][0] == (month.start + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")


def test_a_closed_month_shows_its_actual_only(app, client):
    now = utcnow()
    closed = Month.of(now).previous
    org = make_org()
    make_cost(org, *closed, closed.end + timedelta(hours=3), [line("Compute", "300.00")])
    make_daily_spend(org, last=now.date() - timedelta(days=1), days=80, spend="10", closing_last="5000")
    signed_in(client, role="admin")

    page = client.get(f"/orgs/{org.id}/costs?month={closed.key}").get_data(as_text=True)
    card = page.split('id="projected-total"', 1)[1].split("</div>", 1)[0]
    assert "Month total (closed)" in card and "€300.00" in card  # the provider's actual, not a projection
    assert "Projected month total" not in page and "80 % band" not in card
    assert "projection" not in names(figures_of(page)[-1])
