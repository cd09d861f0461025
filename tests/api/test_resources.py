"""The seed's three endpoints, history, months and CSV: exact fields, SPEC §2 formats, 404s, ETag/304."""

from __future__ import annotations

import csv
import io

from tests.api.conftest import at, bearer_for, make_cost
from tests.factories import make_balance, make_org
from webapp.services.api_clients import create_client


def test_organization_has_exactly_the_seed_fields(client, tenant_a):
    response = client.get("/api/v1/organization", headers=tenant_a.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"id", "name", "created_at", "updated_at"}
    assert body["id"] == tenant_a.org.id and body["name"] == "Alpha Trading"
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")


def test_latest_balance_is_the_newest_collected_at_as_a_decimal_string(client, tenant_a):
    response = client.get("/api/v1/balance/latest", headers=tenant_a.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert {key: body.pop(key) for key in ("checked_at", "stale", "next_collection_at")}  # issue 12 additions
    assert body == {
        "organization_id": tenant_a.org.id,
        "amount": "1234.50",
        "currency": "EUR",
        "collected_at": "2026-03-02T09:00:00Z",
    }


def test_latest_cost_has_the_seed_fields(client, tenant_a):
    response = client.get("/api/v1/costs/latest?year=2026&month=3", headers=tenant_a.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"organization_id", "year", "month", "collected_at", "currency", "total", "fees", "usage_lines"}
    assert (body["year"], body["month"], body["collected_at"]) == (2026, 3, "2026-03-03T09:00:00Z")
    assert body["total"] == "21.90" and body["currency"] == "EUR"
    assert body["fees"][0] == {"code": "usage", "name": "Usage", "amount": "16.90"}
    assert body["usage_lines"][1] == {
        "service": "=HYPERLINK(1)",
        "operator_id": None,
        "operator_name": None,
        "quantity": "10",
        "unit": "msg",
        "amount": "-3.10",
    }


def test_not_found_until_the_first_collection(app, client):
    org = make_org()
    new = create_client(organization_id=org.id, name="fresh")
    headers = {"Authorization": f"Bearer {bearer_for(app, new)}"}
    for path, phrase in (
        ("/api/v1/balance/latest", "No balance"),
        ("/api/v1/costs/latest?year=2026&month=3", "2026-03"),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"
        assert phrase in response.get_json()["detail"] and "yet" in response.get_json()["detail"]
    assert client.get("/api/v1/costs/months", headers=headers).get_json() == {"months": []}
    assert client.get("/api/v1/balance/history", headers=headers).get_json() == {"items": [], "next_cursor": None}


def test_latest_endpoints_answer_conditional_requests_with_304(client, tenant_a):
    for path in ("/api/v1/balance/latest", "/api/v1/costs/latest?year=2026&month=3"):
        first = client.get(path, headers=tenant_a.headers)
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        etag = first.headers["ETag"]
        again = client.get(path, headers={**tenant_a.headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        since = client.get(path, headers={**tenant_a.headers, "If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304
        stale = client.get(path, headers={**tenant_a.headers, "If-None-Match": '"something-else"'})
        assert stale.status_code == 200


def test_a_new_snapshot_changes_the_etag(client, tenant_a):
    etag = client.get("/api/v1/balance/latest", headers=tenant_a.headers).headers["ETag"]
    make_balance(tenant_a.org, "1.00", at=at(4))
    response = client.get("/api/v1/balance/latest", headers={**tenant_a.headers, "If-None-Match": etag})
    assert response.status_code == 200 and response.get_json()["amount"] == "1.00"


def test_history_pages_newest_first_with_an_opaque_cursor(client, tenant_a):
    for day in range(10, 15):
        make_balance(tenant_a.org, f"{day}.00", at=at(day))
    first = client.get("/api/v1/balance/history?limit=3", headers=tenant_a.headers)
    body = first.get_json()
    assert [item["amount"] for item in body["items"]] == ["14.00", "13.00", "12.00"]
    assert body["next_cursor"] and 'rel="next"' in first.headers["Link"]
    seen = [item["collected_at"] for item in body["items"]]
    cursor = body["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/balance/history?limit=3&cursor={cursor}", headers=tenant_a.headers).get_json()
        seen += [item["collected_at"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 7
    default = client.get("/api/v1/balance/history", headers=tenant_a.headers).get_json()
    assert len(default["items"]) == 7 and default["next_cursor"] is None


def test_history_from_to_filters(client, tenant_a):
    query = "from=2026-03-01T12:00:00Z&to=2026-03-02T09:00:00%2B00:00"
    assert client.get(f"/api/v1/balance/history?{query}", headers=tenant_a.headers).get_json()["items"] == []
    query = "from=2026-03-01T09:00:00Z&to=2026-03-02T09:00:01Z"
    items = client.get(f"/api/v1/balance/history?{query}", headers=tenant_a.headers).get_json()["items"]
    assert [item["amount"] for item in items] == ["1234.50", "1200.00"]


def test_cost_months(client, tenant_a):
    make_cost(tenant_a.org, 2025, 12, tenant_a.org.created_at, [])
    body = client.get("/api/v1/costs/months", headers=tenant_a.headers).get_json()
    assert body == {
        "months": [{"year": 2026, "month": 3, "status": "closed"}, {"year": 2025, "month": 12, "status": "closed"}]
    }


def test_balance_history_csv_streams_with_currency_and_a_descriptive_name(client, tenant_a):
    make_balance(tenant_a.org, "-3.10", currency="EUR", at=tenant_a.org.created_at.replace(year=2027))
    response = client.get("/api/v1/balance/history.csv", headers=tenant_a.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert f"balance-history-org-{tenant_a.org.id}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["organization_id", "collected_at", "amount", "currency"]
    assert rows[1][2:] == ["-3.10", "EUR"]
    assert rows[-1] == [str(tenant_a.org.id), "2026-03-01T09:00:00Z", "1200.00", "EUR"]


def test_usage_lines_csv_neutralises_formulas_and_keeps_negative_numbers(client, tenant_a):
    response = client.get("/api/v1/costs/usage-lines.csv?year=2026&month=3", headers=tenant_a.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"usage-lines-org-{tenant_a.org.id}-2026-03.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-2:] == ["amount", "currency"]
    formula = rows[2]
    assert formula[4] == "'=HYPERLINK(1)" and formula[-2:] == ["-3.10", "EUR"]
    missing = client.get("/api/v1/costs/usage-lines.csv?year=2020&month=3", headers=tenant_a.headers)
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
