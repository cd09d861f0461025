"""API additions of issue 12: checked_at, stale, next_collection_at on /balance/latest; month status."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.conftest import make_cost
from tests.dashboard_data import in_month, mark_checked
from tests.factories import make_balance
from tests.helpers import selects, sql_statements
from webapp.models.types import utcnow


def _latest(client, tenant) -> dict:
    response = client.get("/api/v1/balance/latest", headers=tenant.headers)
    assert response.status_code == 200
    return response.get_json()


def test_balance_latest_says_when_checked_stale_and_next_collection(app, client, tenant_a):
    body = _latest(client, tenant_a)
    assert body["amount"] == "1234.50000000" or body["amount"].startswith("1234.5")
    assert body["checked_at"] is None and body["stale"] is True  # never checked
    now = utcnow()
    next_at = datetime.fromisoformat(body["next_collection_at"].replace("Z", "+00:00"))
    assert now < next_at <= now + timedelta(seconds=app.config["COLLECT_INTERVAL_SECONDS"] + 1)

    checked = now - timedelta(minutes=5)
    mark_checked(tenant_a.org, checked)
    body = _latest(client, tenant_a)
    assert body["stale"] is False and body["checked_at"].startswith(checked.strftime("%Y-%m-%dT%H:%M:%S"))


def test_balance_latest_is_still_one_statement(app, client, tenant_a):
    mark_checked(tenant_a.org, utcnow())
    with sql_statements() as statements:
        _latest(client, tenant_a)
    reads = selects(statements)
    assert len(reads) == 1 and "organization_summaries" in reads[0]


def test_months_are_closed_or_accruing(app, client, tenant_a):
    now = utcnow()
    make_balance(tenant_a.org, "1", at=now - timedelta(minutes=1))
    make_cost(tenant_a.org, now.year, now.month, in_month(now, timedelta(minutes=1)), [])
    months = client.get("/api/v1/costs/months", headers=tenant_a.headers).get_json()["months"]
    assert months[0] == {"year": now.year, "month": now.month, "status": "accruing"}
    assert {"year": 2026, "month": 3, "status": "closed"} in months
