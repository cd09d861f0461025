"""GET /api/v1/forecast (issue 14 item 5): depletion and threshold dates with bands, this month's
projection with its band, or the reason there is none; SPEC §2 formats; 404 before any completed day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from tests.api.conftest import Tenant, bearer_for
from tests.dashboard_data import make_spending
from tests.factories import make_balance, make_org
from webapp.api.openapi import AMOUNT_PATTERN
from webapp.models.types import utcnow
from webapp.services.api_clients import create_client


def tenant(app, name: str, **org) -> Tenant:
    made = make_org(name=name, **org)
    new = create_client(organization_id=made.id, name=f"{name} client")
    return Tenant(made, new, bearer_for(app, new))


def test_a_steady_spender_gets_depletion_threshold_and_month_with_bands(app, client):
    now = utcnow()
    spender = tenant(app, "Steady Spender", low_balance_threshold=Decimal("100"))
    make_spending(spender.org, balance="300.00", daily="10.00", now=now, days=20)
    response = client.get("/api/v1/forecast", headers=spender.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "forecast" and body["reason"] is None
    assert body["method"] == "weekday-median-28d-revert-730d" and body["history_days"] == 19
    # the last completed UTC day before the latest snapshot (an hour ago)
    assert body["as_of"] == ((now - timedelta(hours=1)).date() - timedelta(days=1)).isoformat()
    assert re.match(AMOUNT_PATTERN, body["balance"]) and body["currency"] == "EUR"
    depletion, threshold, month = body["depletion"], body["threshold"], body["month"]
    assert depletion["earliest"] <= depletion["expected"] <= depletion["latest"]
    assert threshold["level"] == "100.00" and threshold["reason"] is None
    assert threshold["earliest"] <= threshold["expected"] <= threshold["latest"]
    assert threshold["expected"] < depletion["expected"]  # 100 above zero: about 10 days sooner
    days_apart = (date.fromisoformat(depletion["expected"]) - date.fromisoformat(threshold["expected"])).days
    assert 9 <= days_apart <= 11
    for key in ("month_to_date", "expected", "low", "high"):
        assert re.match(AMOUNT_PATTERN, month[key]), (key, month[key])
    assert Decimal(month["month_to_date"]) <= Decimal(month["low"]) <= Decimal(month["expected"])
    assert Decimal(month["expected"]) <= Decimal(month["high"])
    assert (month["year"], month["month"]) == (now.year, now.month)


def test_a_top_up_today_counts_at_once(app, client):
    now = max(utcnow(), utcnow().replace(hour=1, minute=5))  # the last check an hour ago fell on today, not yesterday
    spender = tenant(app, "Topped Up", low_balance_threshold=Decimal("100"))
    make_spending(spender.org, balance="300.00", daily="10.00", now=now, days=20)
    before = client.get("/api/v1/forecast", headers=spender.headers).get_json()
    make_balance(spender.org, "800.00", at=now)  # 500 came in since the last check, an hour ago
    after = client.get("/api/v1/forecast", headers=spender.headers).get_json()
    assert after["as_of"] == before["as_of"] and Decimal(after["balance"]) == Decimal(before["balance"]) + 500
    moved = {
        key: (date.fromisoformat(after[key]["expected"]) - date.fromisoformat(before[key]["expected"])).days
        for key in ("depletion", "threshold")
    }
    # 500 more at a little under 10 a day (the ledger's first day is its baseline: no spend on it); whole days
    assert all(50 <= days <= 54 for days in moved.values()), (moved, before, after)


def test_no_forecast_says_why_and_no_data_is_a_404(app, client):
    now = utcnow()
    short = tenant(app, "Newcomer")
    make_spending(short.org, balance="300.00", daily="10.00", now=now, days=4)
    body = client.get("/api/v1/forecast", headers=short.headers).get_json()
    assert body["status"] == "short_history" and body["reason"] == "fewer than 7 days of history (3)"
    assert body["depletion"] is None and body["threshold"] is None
    assert body["month"]["expected"] is None and body["month"]["reason"].startswith("fewer than 7 days")

    overdrawn = tenant(app, "Overdrawn", low_balance_threshold=Decimal("50"))
    make_spending(overdrawn.org, balance="-45.00", daily="10.00", now=now, days=12)
    body = client.get("/api/v1/forecast", headers=overdrawn.headers).get_json()
    assert body["status"] == "overdrawn" and body["reason"].startswith("overdrawn since ")
    assert body["depletion"] is None and body["threshold"] is None

    empty = tenant(app, "Nothing Yet")
    make_balance(empty.org, "10.00", at=now)  # today only: no completed day
    response = client.get("/api/v1/forecast", headers=empty.headers)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
