"""problem+json everywhere under /api/, 422 naming the parameter for junk input, never a 500."""

from __future__ import annotations

import pytest

from tests.factories import make_balance, make_user
from tests.helpers import login
from webapp.extensions import db

JUNK = ["abc", "0", "13", "-1", "99999999999999999999", "1\x00", "", " 3", "3.0", "1e3", "%00", "２"]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data()
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"] == "about:blank"
    return body


@pytest.mark.parametrize("value", JUNK)
def test_bad_month_is_422_naming_it(client, tenant_a, value):
    response = client.get(
        "/api/v1/costs/latest", query_string={"year": "2026", "month": value}, headers=tenant_a.headers
    )
    body = assert_problem(response, 422)
    assert body["parameter"] == "month" and "month" in body["detail"]


@pytest.mark.parametrize("value", ["abc", "0", "-2026", "26", "10000", "2026\x00", "", "2026.0", "99999999999"])
def test_bad_year_is_422_naming_it(client, tenant_a, value):
    response = client.get("/api/v1/costs/latest", query_string={"year": value, "month": "3"}, headers=tenant_a.headers)
    assert assert_problem(response, 422)["parameter"] == "year"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("year=2026&year=2026&month=3", "year"),
        ("year=2026&month=3&month=3", "month"),
        ("month=3", "year"),
        ("year=2026", "month"),
    ],
)
def test_repeated_or_missing_parameters(client, tenant_a, query, name):
    for path in ("/api/v1/costs/latest", "/api/v1/costs/usage-lines.csv"):
        assert assert_problem(client.get(f"{path}?{query}", headers=tenant_a.headers), 422)["parameter"] == name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        *[("limit", v) for v in ["0", "1001", "-1", "abc", "10.5", "1\x00", "99999999999999999999", ""]],
        *[("cursor", v) for v in ["abc", "", "!!!", "eyJ9", "A" * 600, "x\x00", "AAAAAAAAAAAAAAAAAAAAAAAA"]],
        *[
            ("from", v)
            for v in ["yesterday", "2026-03-01", "2026-03-01T00:00:00", "2026-13-01T00:00:00Z", "0000-01-01T00:00:00Z"]
        ],
        *[("to", v) for v in ["2026-02-30T00:00:00Z", "2026-03-01T25:00:00Z", "1\x00", "0001-01-01T00:00:00+01:00"]],
    ],
)
def test_bad_history_parameters_are_422(client, tenant_a, name, value):
    response = client.get("/api/v1/balance/history", query_string={name: value}, headers=tenant_a.headers)
    assert assert_problem(response, 422)["parameter"] == name


def test_repeated_history_parameters_are_422(client, tenant_a):
    for name, value in (("limit", "5"), ("from", "2026-03-01T00:00:00Z"), ("cursor", "x")):
        response = client.get(f"/api/v1/balance/history?{name}={value}&{name}={value}", headers=tenant_a.headers)
        assert assert_problem(response, 422)["parameter"] == name


def test_a_cursor_of_another_organisation_is_refused(client, tenant_a, tenant_b):
    for day in range(1, 4):
        make_balance(tenant_b.org, f"{day}.00", at=tenant_b.org.created_at.replace(year=2030, day=day))
    page = client.get("/api/v1/balance/history?limit=1", headers=tenant_b.headers).get_json()
    response = client.get(f"/api/v1/balance/history?cursor={page['next_cursor']}", headers=tenant_a.headers)
    assert assert_problem(response, 422)["parameter"] == "cursor"


def test_unknown_paths_and_methods_are_problems(client, tenant_a):
    assert_problem(client.get("/api/v1/nothing-here", headers=tenant_a.headers), 404)
    assert_problem(client.get("/api/", headers=tenant_a.headers), 404)
    response = client.delete("/api/v1/balance/latest", headers=tenant_a.headers)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]
    assert client.get("/no-such-page").content_type.startswith("text/html")


def test_unexpected_errors_are_500_problems(app, client, tenant_a, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    db.session.commit()  # the 500 path rolls the session back; the client row must outlive that
    monkeypatch.setattr("webapp.api.resources.latest_balance_stmt", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    body = assert_problem(client.get("/api/v1/balance/latest", headers=tenant_a.headers), 500)
    assert "boom" not in body["detail"]


def test_session_cookies_are_ignored(app, client, tenant_a):
    user = make_user(role="admin")
    assert login(client, user.email).status_code == 302
    assert client.get("/").status_code == 200  # the session works for the dashboard
    response = client.get("/api/v1/organization")
    assert response.status_code == 401 and response.content_type == "application/problem+json"


@pytest.mark.parametrize("name", ["access_token", "token", "jwt", "client_secret"])
def test_credentials_in_the_url_are_refused_even_with_a_valid_header(client, tenant_a, name):
    response = client.get(f"/api/v1/organization?{name}={tenant_a.token}", headers=tenant_a.headers)
    body = assert_problem(response, 400)
    assert "URL" in body["detail"] and 'error="invalid_request"' in response.headers["WWW-Authenticate"]
    only_url = client.get(f"/api/v1/organization?{name}={tenant_a.token}")
    assert only_url.status_code in (400, 401) and only_url.status_code != 200


@pytest.mark.parametrize("path", ["/api/v1/organization", "/api/v1/balance/latest", "/api/v1/costs/months"])
def test_unknown_parameters_are_422(client, tenant_a, path):
    assert assert_problem(client.get(f"{path}?form=2026-01-01", headers=tenant_a.headers), 422)["parameter"] == "form"
