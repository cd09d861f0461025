"""The account page (SPEC §11): a user picks an IANA time zone (default UTC); unknown names get a form error
(4xx, never a 500); the change is audited; pages then show timestamps in that zone, labelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.admin.helpers import events
from tests.dashboard_data import mark_checked, signed_in
from tests.factories import make_balance, make_org
from tests.helpers import csrf_token
from webapp.extensions import db
from webapp.models.types import utcnow

WINTER = datetime(2026, 1, 15, 12, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)


def choose(client, name: str | None):
    data = {"csrf_token": csrf_token(client, "/account")}
    if name is not None:
        data["time_zone"] = name
    return client.post("/account", data=data)


def test_the_page_offers_grouped_zones_with_utc_selected_and_the_browser_script(app, client):
    signed_in(client)
    response = client.get("/account")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option selected value="UTC">UTC</option>' in page
    assert '<optgroup label="Europe">' in page and '<option value="Europe/Berlin">Europe/Berlin</option>' in page
    assert '<option value="America/New_York">America/New York</option>' in page
    assert "/static/js/time-zone.js" in page and "<script>" not in page
    assert 'href="/account/password"' in page
    assert 'href="/account" aria-current="page">Account</a>' in page  # the navigation link


def test_choosing_a_zone_is_saved_audited_and_shown(app, client):
    user = signed_in(client)
    response = choose(client, "Europe/Berlin")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    db.session.refresh(user)
    assert user.time_zone == "Europe/Berlin"
    (event,) = events("time_zone_changed")
    assert event.actor == user.email and event.details == {"from": "UTC", "to": "Europe/Berlin"}
    page = client.get("/account").get_data(as_text=True)
    assert "Times are now shown in Europe/Berlin." in page
    assert '<option selected value="Europe/Berlin">' in page
    assert "Times in Europe/Berlin" in page  # the footer on every page
    assert choose(client, "Europe/Berlin").status_code == 303 and len(events("time_zone_changed")) == 1


@pytest.mark.parametrize("name", ["Mars/Olympus", "localtime", "europe/berlin", "x" * 5000, "Europe/Berlin\x00", ""])
def test_an_unknown_zone_is_a_form_error_and_nothing_changes(app, client, name):
    user = signed_in(client)
    response = choose(client, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="field-error"' in page and ("Not a time zone name" in page or "Choose a time zone" in page)
    db.session.refresh(user)
    assert user.time_zone == "UTC" and events("time_zone_changed") == []


def test_a_missing_field_and_a_missing_csrf_token_are_4xx(app, client):
    signed_in(client)
    assert choose(client, None).status_code == 422
    assert client.post("/account", data={"time_zone": "Europe/Berlin"}).status_code in (400, 422)


def test_the_account_page_needs_a_sign_in(client):
    assert client.get("/account").status_code == 302


def test_the_organisation_page_shows_times_in_the_chosen_zone_across_dst(app, client):
    org = make_org(name="Zoned Ltd", created_at=WINTER, updated_at=SUMMER)
    make_balance(org, "10.00", at=WINTER)
    make_balance(org, "20.00", at=SUMMER)
    now = utcnow()
    mark_checked(org, now - timedelta(hours=2))
    user = signed_in(client, role="admin")
    user.time_zone = "Europe/Berlin"
    db.session.commit()
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "<dt>Created</dt><dd>2026-01-15 13:05 CET</dd>" in page
    assert "<dt>Updated</dt><dd>2026-07-01 14:05 CEST</dd>" in page
    assert "Unchanged since 2026-07-01 14:05 CEST" in page
    assert "When (Europe/Berlin)</th>" in page and '<td class="time">2026-07-01 14:05</td>' in page
    # relative, with the absolute local time in the title
    assert "last checked <time" in page and ">2 hours ago</time>" in page
    assert 'title="' + (now - timedelta(hours=2)).astimezone(_berlin()).strftime("%Y-%m-%d %H:%M") in page


def test_the_portfolio_labels_each_time_and_says_months_are_utc(app, client):
    org = make_org(name="Zoned Ltd")
    make_balance(org, "10.00", at=WINTER)
    mark_checked(org, utcnow() - timedelta(minutes=3))
    user = signed_in(client, organizations=[org])
    user.time_zone = "America/New_York"
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Times in America/New_York; months are UTC, as the provider bills." in page
    assert '<span class="nowrap">2026-01-15</span> <span class="nowrap">07:05 EST</span>' in page
    assert 'title="2026-01-15 07:05:00 Eastern Standard Time (America/New_York)"' in page
    assert ">3 minutes ago</time>" in page
    assert 'datetime="2026-01-15T12:05:00+00:00"' in page  # machine-readable stays UTC


def test_the_cost_page_says_months_are_utc(app, client):
    org = make_org()
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}/costs").get_data(as_text=True)
    assert "Months and days are UTC, as the provider bills; other times are in UTC." in page


def _berlin():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")
