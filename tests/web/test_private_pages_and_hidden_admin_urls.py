"""Issue 10 §5: signed-in HTML is never cached; admin URLs are a 404 to non-admins for every method; OPTIONS
reveals no organisation a manager may not see."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import admin
from tests.dashboard_data import signed_in
from tests.factories import make_balance, make_org
from tests.helpers import csrf_token

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
SAMPLE_VALUES = {"org_id": "{org}", "user_id": "{user}", "event_id": "1", "client_id": "adc_x"}
SAMPLE_VALUES |= {"endpoint_id": "1", "delivery_id": "1", "mail_id": "1"}  # notifications


def every_admin_url(app) -> list[str]:
    """Each /admin rule of the URL map with sample arguments, plus paths no rule matches."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            url = rule.rule
            for argument in rule.arguments:
                url = re.sub(rf"<(?:[a-z]+:)?{argument}>", SAMPLE_VALUES[argument], url)
            urls.add(url)
    return sorted(urls | {"/admin", "/admin/no-such-page"})


def test_a_manager_gets_404_for_every_method_on_every_admin_url(app, client):
    org = make_org()
    manager = signed_in(client, organizations=[org])
    token = csrf_token(client, "/")
    urls = every_admin_url(app)
    assert len(urls) >= 12
    for url in urls:
        url = url.format(org=org.id, user=manager.id)
        for method in METHODS:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (method, url, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in_for_every_method(app, client):
    for url in every_admin_url(app):
        for method in METHODS:
            response = client.open(url.format(org=1, user=1), method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login?next=")


def test_admins_still_get_405_for_a_method_a_page_does_not_allow(app, client):
    admin(client)
    assert client.open("/admin/collector/collect", method="GET").status_code == 405
    assert client.open("/admin/organizations", method="DELETE").status_code == 405
    assert client.open("/admin/organizations", method="OPTIONS").status_code == 200


@pytest.mark.parametrize("suffix", ["", "/costs", "/costs.csv", "/balance.csv"])
def test_options_on_an_organisation_a_manager_may_not_see_is_404(app, client, suffix):
    mine, theirs = make_org(), make_org()
    signed_in(client, organizations=[mine])
    assert client.open(f"/orgs/{theirs.id}{suffix}", method="OPTIONS").status_code == 404
    assert client.open(f"/orgs/{theirs.id + 1000}{suffix}", method="OPTIONS").status_code == 404
    mine_response = client.open(f"/orgs/{mine.id}{suffix}", method="OPTIONS")
    assert mine_response.status_code == 200 and "GET" in mine_response.headers["Allow"]


def test_options_on_an_organisation_needs_a_sign_in(app, client):
    org = make_org()
    assert client.open(f"/orgs/{org.id}", method="OPTIONS").status_code == 302


def test_signed_in_pages_and_partials_are_private_and_not_stored(app, client):
    org = make_org()
    make_balance(org, "10.00")
    user = admin(client)
    pages = ["/", f"/orgs/{org.id}", f"/orgs/{org.id}/costs", "/admin/organizations", "/admin/audit"]
    pages += [f"/admin/users/{user.id}", "/admin/collector", "/no-such-page"]
    for url in pages:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.mimetype == "text/html", url
            assert "no-store" in response.headers["Cache-Control"], (url, headers)
    assert client.get("/").headers["Cache-Control"] == "private, no-store"


def test_static_assets_keep_their_long_cache(app, client):
    signed_in(client, role="admin")
    page = client.get("/").get_data(as_text=True)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        with client.get(asset) as response:
            assert "max-age=31536000" in response.headers["Cache-Control"], asset
            assert "no-store" not in response.headers["Cache-Control"], asset
