"""Organisation A's token sees nothing of organisation B on any /api/ route (B's values are distinctive)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from tests.api.conftest import B_MONTH, assert_no_leak
from tests.dashboard_data import mark_checked

B_CHECKED = datetime(2026, 3, 5, 9, 17, 23, tzinfo=UTC)  # a distinctive moment only B has


def _get(client, tenant_a, path: str):
    response = client.get(path, headers=tenant_a.headers)
    assert response.status_code < 500, response.get_data()
    return response


def case_token(client, tenant_a, tenant_b):
    raw = f"{tenant_a.api.client.client_id}:{tenant_a.api.secret}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    response = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"}, headers=headers)
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    org = client.get("/api/v1/organization", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert org["id"] == tenant_a.org.id
    # A's secret never buys B's client, even when B's client id is named.
    stolen = base64.b64encode(f"{tenant_b.api.client.client_id}:{tenant_a.api.secret}".encode()).decode()
    denied = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": f"Basic {stolen}"})  # fmt: skip
    assert denied.status_code == 401
    return response


def case_organization(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/organization")
    assert response.get_json()["id"] == tenant_a.org.id
    return response


def case_balance_latest(client, tenant_a, tenant_b):
    mark_checked(tenant_b.org, B_CHECKED)  # B was checked, A never: A's freshness must not be B's
    response = _get(client, tenant_a, "/api/v1/balance/latest")
    body = response.get_json()
    assert body["organization_id"] == tenant_a.org.id  # B's snapshot is newer
    assert body["checked_at"] is None and body["stale"] is True
    return response


def case_balance_history(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/balance/history?limit=1000")
    items = response.get_json()["items"]
    assert items and {item["organization_id"] for item in items} == {tenant_a.org.id}
    return response


def case_balance_history_csv(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/balance/history.csv")
    assert response.get_data(as_text=True).count("\n") == 3  # header + A's two rows
    return response


def case_costs_latest(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/costs/latest?year=2026&month=3")
    assert response.get_json()["organization_id"] == tenant_a.org.id  # B's snapshot is newer
    only_b = _get(client, tenant_a, f"/api/v1/costs/latest?year={B_MONTH[0]}&month={B_MONTH[1]}")
    assert only_b.status_code == 404
    assert_no_leak(only_b.get_data(as_text=True), tenant_b)
    return response


def case_costs_months(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/costs/months")
    assert response.get_json() == {"months": [{"year": 2026, "month": 3, "status": "closed"}]}
    return response


def case_usage_lines_csv(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/costs/usage-lines.csv?year=2026&month=3")
    assert response.status_code == 200
    only_b = _get(client, tenant_a, f"/api/v1/costs/usage-lines.csv?year={B_MONTH[0]}&month={B_MONTH[1]}")
    assert only_b.status_code == 404
    return response


def case_forecast(client, tenant_a, tenant_b):
    response = _get(client, tenant_a, "/api/v1/forecast")
    body = response.get_json()
    # B's ledger is newer: a missing tenant filter would answer B's as_of and balance
    assert (body["organization_id"], body["as_of"], body["balance"]) == (tenant_a.org.id, "2026-03-02", "1234.50")
    return response


def case_openapi(client, tenant_a, tenant_b):
    return _get(client, tenant_a, "/api/v1/openapi.json")


def case_docs(client, tenant_a, tenant_b):
    return _get(client, tenant_a, "/api/docs")


CASES = {
    "/api/v1/oauth/token": case_token,
    "/api/v1/organization": case_organization,
    "/api/v1/balance/latest": case_balance_latest,
    "/api/v1/balance/history": case_balance_history,
    "/api/v1/balance/history.csv": case_balance_history_csv,
    "/api/v1/costs/latest": case_costs_latest,
    "/api/v1/costs/months": case_costs_months,
    "/api/v1/costs/usage-lines.csv": case_usage_lines_csv,
    "/api/v1/forecast": case_forecast,
    "/api/v1/openapi.json": case_openapi,
    "/api/docs": case_docs,
}


def api_routes(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api")}


def test_every_api_route_has_an_isolation_case(app):
    missing = api_routes(app) - set(CASES)
    assert not missing, f"/api/ routes without a tenant-isolation case: {sorted(missing)}"


def test_organisation_a_sees_nothing_of_b(app, client, tenant_a, tenant_b):
    for route in sorted(api_routes(app)):
        response = CASES[route](client, tenant_a, tenant_b)
        assert_no_leak(response.get_data(as_text=True), tenant_b)


def test_b_sees_its_own_data_so_the_markers_are_live(client, tenant_a, tenant_b):
    body = client.get("/api/v1/costs/latest?year=2026&month=3", headers=tenant_b.headers).get_data(as_text=True)
    assert "op-zebra-777" in body and "55555.55" in body
    assert "98765.4321" in client.get("/api/v1/balance/latest", headers=tenant_b.headers).get_data(as_text=True)
