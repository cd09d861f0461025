"""Access and safety (issue 5 §4–5): 404 for others' organisations everywhere, HX-Redirect on expiry,
CSRF on htmx requests, strict CSP, escaped names on pages, in charts and in CSVs, cached gzipped assets."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from tests.dashboard_data import FORMULA, XSS, line, make_cost, signed_in
from tests.factories import make_balance, make_org
from tests.helpers import csrf_token
from webapp.web.security import CSP

ORG_URLS = [
    "/orgs/{id}",
    "/orgs/{id}?range=30d",
    "/orgs/{id}/balance.csv",
    "/orgs/{id}/costs",
    "/orgs/{id}/costs?month=2026-03",
    "/orgs/{id}/costs.csv?month=2026-03",
]


@pytest.mark.parametrize("url", ORG_URLS)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "partial"])
def test_managers_get_404_for_organisations_not_assigned_to_them(app, client, url, htmx):
    mine, other = make_org(), make_org()
    make_cost(other, 2026, 3, datetime(2026, 3, 2, tzinfo=UTC), [line("A", "1.00")])
    signed_in(client, organizations=[mine])
    headers = {"HX-Request": "true"} if htmx else {}
    assert client.get(url.format(id=other.id), headers=headers).status_code == 404
    assert client.get(url.format(id=999999), headers=headers).status_code == 404  # guessed id
    assert client.get(url.format(id=mine.id), headers=headers).status_code in (200, 404)
    if "csv" not in url:
        assert client.get(url.format(id=mine.id), headers=headers).status_code == 200


@pytest.mark.parametrize("url", ["/?q=a", "/orgs/{id}?range=30d", "/orgs/{id}/costs?month=2026-03"])
def test_expired_session_during_htmx_gets_hx_redirect(app, client, url):
    org = make_org()
    signed_in(client, role="admin")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.get(url.format(id=org.id), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert "<form" not in response.get_data(as_text=True)


def test_pages_carry_csrf_meta_and_no_inline_script(app, client):
    org = make_org()
    signed_in(client, role="admin")
    for url in ("/", f"/orgs/{org.id}", f"/orgs/{org.id}/costs", "/login", "/nowhere"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.headers["Content-Security-Policy"] == CSP, url
        assert "unsafe" not in CSP and "script-src 'self'" in CSP and "style-src 'self'" in CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in page and " on" + "click=" not in page and "style=" not in page, url
        for tag in page.split("<script")[1:]:
            assert tag.split(">", 1)[1].startswith("</script>"), url  # every script is an empty src= tag
    assert 'name="csrf-token"' in client.get("/").get_data(as_text=True)


def test_htmx_post_with_csrf_header_is_accepted(app, client):
    signed_in(client, role="admin")
    token = csrf_token(client, "/")
    rejected = client.post("/logout", headers={"HX-Request": "true"})
    assert rejected.status_code == 400
    accepted = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 302


@pytest.mark.parametrize("name", [XSS, FORMULA])
def test_hostile_names_are_text_everywhere(app, client, name):
    org = make_org(name=name)
    make_balance(org, "1.00")
    make_cost(
        org,
        2026,
        3,
        datetime(2026, 3, 2, tzinfo=UTC),
        [line(name, "2.00", operator=("op", name)), line("Plain", "1.00", operator=(name, "x"))],
    )
    signed_in(client, role="admin")
    pages = ["/", f"/orgs/{org.id}", f"/orgs/{org.id}/costs?month=2026-03"]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in page, url
    costs = client.get(f"/orgs/{org.id}/costs?month=2026-03").get_data(as_text=True)
    # In the figure JSON (itself attribute-escaped) the name arrives pre-escaped for Plotly: &lt;img…
    assert "&amp;lt;img src=x onerror=alert(1)&amp;gt;" in costs or "HYPERLINK" in costs
    for url in ("/portfolio.csv", f"/orgs/{org.id}/balance.csv?range=all", f"/orgs/{org.id}/costs.csv?month=2026-03"):
        text = client.get(url).get_data(as_text=True)
        for cell in [c for row in text.splitlines()[1:] for c in row.split(",")]:
            assert not cell.lstrip('"').startswith(("=", "+", "@")), (url, cell)
        if name == FORMULA:
            assert "'=HYPERLINK" in text, url


def test_static_assets_are_long_cached_and_gzipped(app, client):
    signed_in(client, role="admin")
    page = client.get("/").get_data(as_text=True)
    htmx_url = page.split('src="', 1)[1].split('"', 1)[0]
    assert "htmx-2.0.11.min.js?v=" in htmx_url
    for _ in range(2):  # compressed once, then served from memory
        with client.get(htmx_url, headers={"Accept-Encoding": "gzip"}) as response:
            assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
            assert "max-age=31536000" in response.headers["Cache-Control"]
            assert b"htmx" in gzip.decompress(response.data)
    html = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert html.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in html.headers["Vary"]
    with client.get("/static/css/app.css") as plain:
        assert "Content-Encoding" not in plain.headers and b"Account Desk" in plain.data


def test_api_responses_are_not_gzipped_by_the_app(client):
    response = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.json["openapi"].startswith("3.1")
