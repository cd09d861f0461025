"""The portfolio's "Runs out" column in headless Chromium at 1280 px (issue 14): the demo history's
forecasts as a date and days with the band in the tooltip, sorted soonest first on the first click,
"depleted" for the overdrawn one, zero console errors."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_runs_out_column_shows_dates_bands_and_sorts_soonest_first(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    page.goto(live_server.url + "/login")
    page.fill("#email", live_server.admin_email)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    header = page.locator("#portfolio-table thead a[data-sort=runway]")
    assert header.inner_text().startswith("Runs out")
    header.click()
    page.wait_for_url(re.compile(r"sort=runway"))
    page.wait_for_selector("#portfolio-table thead th[aria-sort=ascending] a[data-sort=runway]")
    cells = [page.locator("#portfolio-table tbody td.runs-out-cell").nth(i) for i in range(5)]
    texts = [cell.inner_text() for cell in cells]
    assert texts[0] == "depleted", texts  # the overdrawn seed sorts first
    dated = [cell for cell in cells if cell.locator("time").count()]
    assert len(dated) >= 2, texts  # 75 days of demo history: the demo organisations have a forecast
    days = [cell.locator("time").get_attribute("datetime") for cell in dated]
    assert days == sorted(days)
    band = dated[0].locator("span[title]").first.get_attribute("title")
    assert re.fullmatch(r"80 % band: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d", band or ""), band
    assert re.search(r"· \d+ d$", dated[0].inner_text()), texts
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    watched.shot("14-portfolio-runs-out")
    assert watched.errors == []
