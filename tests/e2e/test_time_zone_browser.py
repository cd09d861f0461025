"""The time-zone switch in headless Chromium (SPEC §11, issue 13 §4): the account page offers the browser's
own zone (Intl, from a static script under the strict CSP), and after saving it the portfolio and the
organisation page show their timestamps in that zone, labelled — with no console error or CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import CSP_LISTENER, Watched

pytestmark = pytest.mark.browser
TOKYO = ZoneInfo("Asia/Tokyo")  # no daylight saving: the expected label is always JST


@pytest.fixture
def tokyo_page(chromium) -> Iterator[Watched]:
    """A browser whose own time zone is Asia/Tokyo (the server still knows nothing of it)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo")
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watched = Watched(page=page, errors=[], htmx_requests=[])
    page.on("console", lambda message: message.type == "error" and watched.errors.append(message.text))
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    yield watched
    context.close()


def sign_in(page, server) -> None:
    page.goto(server.url + "/login")
    page.fill("#email", server.manager_email)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def first_collected(page) -> tuple[datetime, str, str]:
    """The first portfolio row's "Last collected" time: its UTC `datetime`, shown text and title."""
    stamp = page.locator("#portfolio-table tbody tr").first.locator("td.time time").first
    moment = datetime.fromisoformat(stamp.get_attribute("datetime"))
    return moment, " ".join(stamp.inner_text().split()), stamp.get_attribute("title")


def save_zone(page, server, name: str) -> None:
    page.goto(server.url + "/account")
    page.select_option("#time_zone", name)
    page.click("#time-zone-form button[type=submit]")
    page.wait_for_url(server.url + "/account")


def test_a_user_switches_zone_and_the_pages_follow(live_server, tokyo_page):
    watched, page = tokyo_page, tokyo_page.page
    sign_in(page, live_server)
    moment, shown, _ = first_collected(page)
    assert shown == moment.strftime("%Y-%m-%d %H:%M") + " UTC"
    try:
        page.click("nav.topnav >> text=Account")
        page.wait_for_url(live_server.url + "/account")
        offer = page.locator("#browser-zone")
        offer.wait_for(state="visible")
        assert "Asia/Tokyo" in offer.inner_text() and page.input_value("#time_zone") == "UTC"
        watched.shot("tz-01-account-offer")
        offer.locator("button").click()
        assert page.input_value("#time_zone") == "Asia/Tokyo" and offer.is_hidden()
        page.click("#time-zone-form button[type=submit]")
        page.wait_for_url(live_server.url + "/account")
        assert "Times are now shown in Asia/Tokyo." in page.inner_text("#account")
        assert page.locator("#browser-zone").is_hidden()  # already the saved zone: nothing to offer
        watched.shot("tz-02-account-saved")

        page.click("nav.topnav >> text=Portfolio")
        page.wait_for_selector("#portfolio-table tbody tr")
        moment, shown, title = first_collected(page)
        assert shown == moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") + " JST"
        assert title.endswith("Japan Standard Time (Asia/Tokyo)")
        assert "Times in Asia/Tokyo; months are UTC" in page.inner_text("main")
        checked = page.locator("#portfolio-table tbody tr").first.locator("td.time time.ago")
        assert checked.inner_text().endswith(" ago") and checked.get_attribute("title").endswith(" JST")
        watched.shot("tz-03-portfolio-tokyo")

        page.locator("#portfolio-table tbody tr").first.locator("td.org-name a").click()
        page.wait_for_selector("dl.profile")
        created = page.locator("dl.profile dd").nth(2).inner_text()
        assert created.endswith(" JST")
        assert "When (Asia/Tokyo)" in page.inner_text("main")
        watched.shot("tz-04-organization-tokyo")
    finally:
        save_zone(page, live_server, "UTC")  # the live server's manager is shared with the other browser tests
    assert watched.errors == []
