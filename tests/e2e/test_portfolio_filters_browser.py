"""Portfolio filters in headless Chromium (issue 12 point 2): a click swaps only the table, the URL
follows, the active filter is marked with its count, and nothing breaks the CSP."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_dashboard_browser import mark_page, same_document, sign_in

pytestmark = pytest.mark.browser


def test_filter_click_swaps_the_table_and_updates_the_url(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    sign_in(watched, live_server, email=live_server.admin_email, shot=False)
    page.wait_for_selector("#portfolio-table nav.filters")
    all_link = page.locator("nav.filters a[aria-current]")
    assert all_link.inner_text().startswith("All")

    mark_page(page)
    page.click("nav.filters a:has-text('Stale')")
    page.wait_for_url(re.compile(r"[?&]filter=stale"))
    page.wait_for_selector("nav.filters a[aria-current]:has-text('Stale')")
    assert same_document(page)  # htmx swapped the table, no reload
    assert watched.htmx_requests, "the filter link should be an htmx request"

    active = page.locator("nav.filters a[aria-current]")
    count = int(active.locator(".count").inner_text().split()[0])
    rows = page.locator("#portfolio-table tbody tr td.org-name")
    assert rows.count() == count and count >= 1  # the seed's hostile organisation was last checked never
    for index in range(rows.count()):
        assert "stale" in page.locator("#portfolio-table tbody tr").nth(index).inner_text()
    assert "filter: stale" in page.locator("#portfolio-table .table-toolbar").inner_text()
    assert watched.errors == []

    page.go_back()
    page.wait_for_selector("nav.filters a[aria-current]:has-text('All')")
    assert watched.errors == []
    page.go_forward()
    page.wait_for_selector("nav.filters a[aria-current]:has-text('Stale')")
    watched.shot("portfolio-filter-stale")
    assert watched.errors == []
