"""Issue 13 §7: the organisations and users lists are searchable (name / provider reference / email) and paged,
the URL holds the state, htmx gets only the list, and a bad page number is a 400 or the last page, never a 500."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import admin
from tests.factories import make_org, make_user
from webapp.extensions import db
from webapp.models import User


def _names(page: str) -> list[str]:
    table = page.split('id="organizations-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'/admin/organizations/\d+">([^<]+)</a>', table)


@pytest.fixture
def many_orgs(app):
    orgs = [make_org(name=f"Tenant {n:03d}", provider_account_ref=f"acct-{n:03d}") for n in range(120)]
    make_org(name="Müller & Söhne 100% GmbH", provider_account_ref="ref_under_score")
    db.session.commit()
    return orgs


def test_the_organisations_list_is_paged_with_plain_links_that_keep_the_search(app, client, many_orgs):
    admin(client)
    first = client.get("/admin/organizations").get_data(as_text=True)
    assert len(_names(first)) == 50 and "121 organisations · showing 1–50" in first
    assert "Page 1 of 3" in first and 'href="/admin/organizations?page=2" rel="next"' in first
    last = client.get("/admin/organizations?page=3").get_data(as_text=True)
    assert len(_names(last)) == 21 and "showing 101–121" in last and 'rel="next"' not in last
    assert set(_names(first)).isdisjoint(_names(last))
    found = client.get("/admin/organizations?q=TENANT+01").get_data(as_text=True)
    assert _names(found) == [f"Tenant {n:03d}" for n in range(10, 20)] and "10 organisations match “TENANT 01”" in found
    assert 'value="TENANT 01"' in found  # the box shows what the URL says


def test_search_matches_the_provider_reference_and_treats_like_wildcards_literally(app, client, many_orgs):
    admin(client)
    assert _names(client.get("/admin/organizations?q=acct-117").get_data(as_text=True)) == ["Tenant 117"]
    assert _names(client.get("/admin/organizations?q=100%25").get_data(as_text=True)) == [
        "Müller &amp; Söhne 100% GmbH"
    ]
    assert _names(client.get("/admin/organizations?q=f_under").get_data(as_text=True)) == [
        "Müller &amp; Söhne 100% GmbH"
    ]
    assert _names(client.get("/admin/organizations?q=_").get_data(as_text=True)) == ["Müller &amp; Söhne 100% GmbH"]
    none = client.get("/admin/organizations?q=nothing-like-it").get_data(as_text=True)
    assert _names(none) == [] and "No organisation’s name or provider reference contains “nothing-like-it”" in none


def test_htmx_gets_only_the_list_and_the_pager_links_swap_it(app, client, many_orgs):
    admin(client)
    response = client.get("/admin/organizations?q=tenant&page=2", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="organizations-list"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-get="/admin/organizations?page=3&amp;q=tenant"' in body and 'hx-push-url="true"' in body
    page = client.get("/admin/organizations").get_data(as_text=True)
    search = page.split('id="organizations-list-search"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in page and 'hx-target="#organizations-list"' in search and 'name="q"' in search


def test_a_bad_page_number_is_a_400(app, client):
    admin(client)
    for page in ("0", "-1", "abc", "1.5", "9999999999", "%00"):
        for url in ("/admin/organizations", "/admin/users", "/admin/audit"):
            assert client.get(f"{url}?page={page}").status_code == 400, (url, page)


def test_a_page_past_the_end_shows_the_last_page(app, client, many_orgs):
    admin(client)
    page = client.get("/admin/organizations?page=99").get_data(as_text=True)
    assert "Page 3 of 3" in page and len(_names(page)) == 21
    users = client.get("/admin/users?page=99")
    assert users.status_code == 200 and "1 user" in users.get_data(as_text=True)
    assert client.get("/admin/audit?page=999").status_code == 200


def test_the_users_list_is_searchable_by_email_and_paged(app, client):
    # One hash shared by all (hashing 61 passwords would take a minute): these users only need to be listed.
    shared = make_user(email="someone.else@corp.example").password_hash
    db.session.add_all(
        User(email=f"person{n:02d}@example.com", role="manager", active=True, password_hash=shared) for n in range(60)
    )
    db.session.commit()
    admin(client)
    page = client.get("/admin/users").get_data(as_text=True)
    table = page.split('id="users-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("/admin/users/") == 50 and "62 users · showing 1–50" in page and "Page 1 of 2" in page
    found = client.get("/admin/users?q=CORP.EXAMPLE").get_data(as_text=True)
    assert "someone.else@corp.example" in found and "person00" not in found and "1 user match" in found
    partial = client.get("/admin/users?q=person5", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="users-list"') and partial.count("/admin/users/") == 10
