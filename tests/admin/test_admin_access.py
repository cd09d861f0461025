"""Issue 6 §6: every admin route (pages, partials, form actions; every method) is 404 for a manager and
sends anonymous visitors to sign in; forms carry CSRF tokens and refuse a POST without one."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import admin, post
from tests.dashboard_data import signed_in
from tests.factories import make_org, make_user
from tests.helpers import csrf_token, login
from webapp.extensions import db

SAMPLE_VALUES = {"org_id": "{org}", "user_id": "{user}", "event_id": "1", "client_id": "adc_x"}
SAMPLE_VALUES |= {"endpoint_id": "1", "delivery_id": "1", "mail_id": "1"}  # notifications
ADMIN_PAGES = ["/admin/organizations", "/admin/users", "/admin/clients", "/admin/collector", "/admin/audit"]
ADMIN_PAGES += ["/admin/outbox"]


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, URL) for every rule of the admin blueprint, with sample values for its arguments."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{argument}>", SAMPLE_VALUES[argument], url)
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_enumeration_covers_every_admin_view(app):
    routes = admin_routes(app)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert len(endpoints) >= 12 and len(routes) >= 15
    assert all(rule.rule.startswith("/admin") for rule in app.url_map.iter_rules() if rule.endpoint in endpoints)
    assert {"POST"} <= {method for method, _ in routes}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_manager_gets_404_for_every_admin_route(app, client, htmx):
    org = make_org()
    manager = signed_in(client, organizations=[org])
    token = csrf_token(client, "/")
    headers = {"HX-Request": "true"} if htmx else {}
    checked = 0
    for method, url in admin_routes(app):
        url = url.format(org=org.id, user=manager.id)
        response = client.open(url, method=method, headers=headers, data={"csrf_token": token, "name": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Admin" not in response.get_data(as_text=True).split("<main", 1)[-1][:200]
        checked += 1
    assert checked >= 15


def test_anonymous_visitors_are_sent_to_sign_in_for_every_admin_route(app, client):
    org = make_org()
    token = csrf_token(client, "/login")
    for method, url in admin_routes(app):
        url = url.format(org=org.id, user=1)
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next=")
        htmx = client.open(url, method=method, data={"csrf_token": token}, headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login?next="), (method, url)


def test_the_admin_link_is_shown_to_admins_only(app, client):
    signed_in(client)
    assert "/admin/" not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    admin(client)
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_every_admin_form_carries_a_csrf_token_and_a_post_without_one_is_refused(app, client):
    org = make_org()
    user = admin(client)
    for url in [*ADMIN_PAGES, f"/admin/organizations/{org.id}", f"/admin/users/{user.id}"]:
        page = client.get(url).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", page, flags=re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, (url, form[:120])
    for method, url in admin_routes(app):
        if method == "POST":
            response = client.post(url.format(org=org.id, user=user.id), data={"name": "x"})
            assert response.status_code == 400, url


def test_admin_pages_render_for_an_admin_with_a_strict_csp(app, client):
    org = make_org()
    user = admin(client)
    for url in [*ADMIN_PAGES, f"/admin/organizations/{org.id}", f"/admin/users/{user.id}"]:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert "<script>" not in page and "style=" not in page and " on" + "click=" not in page, url
    assert client.get("/admin/").status_code == 303
    assert post(client, "/admin/collector/collect", {"organization_id": "abc"}).status_code == 400


def test_a_managers_post_without_a_token_is_a_404_not_a_csrf_error(app, client):
    make_user(role="manager", email="m@example.com")
    db.session.commit()
    login(client, "m@example.com")
    for url in ("/admin/users/1/role", "/admin/clients", "/admin/collector/collect"):
        assert client.post(url).status_code == 404, url


def test_an_admins_post_without_a_token_is_still_refused(app, client):
    admin(client)
    assert client.post("/admin/clients", data={"organization_id": "1", "name": "x"}).status_code == 400
