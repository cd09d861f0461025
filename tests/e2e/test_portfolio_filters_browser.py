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


def _wait_until(page, expression: str, timeout_s: float = 10) -> None:
    """Poll with evaluate (wait_for_function evaluates a string, which the page's CSP forbids)."""
    for _ in range(int(timeout_s * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_overdrawn_badge_header_links_sort_direction_and_focus(live_server, browser_page):
    """Issue 13: the red overdrawn badge, a header count as a filter link (htmx swap, URL follows), runway's
    first click soonest first with "depleted" on top, focus kept on the activated header, the result announced."""
    watched, page = browser_page, browser_page.page
    sign_in(watched, live_server, email=live_server.admin_email, shot=False)
    row = page.locator("#portfolio-table tbody tr", has_text="Overdrawn Demo")
    assert row.locator(".badge.bad").inner_text() == "overdrawn"
    assert row.locator("td.num").nth(0).get_attribute("title") == "-12.34 EUR"
    watched.shot("portfolio-issue13-1280")

    mark_page(page)
    page.click(".currency-card a.count-link.overdrawn")
    page.wait_for_url(re.compile(r"currency=EUR.*filter=overdrawn"))
    assert same_document(page)
    names = page.locator("#portfolio-table td.org-name a").all_inner_texts()
    assert "Overdrawn Demo" in names and all(
        "overdrawn" in r for r in page.locator("#portfolio-table tbody tr").all_inner_texts()
    )
    page.click("nav.filters a:has-text('All')")
    page.wait_for_selector("nav.filters a[aria-current]:has-text('All')")

    page.click("#portfolio-table thead a[data-sort=runway]")
    page.wait_for_url(re.compile(r"sort=runway"))
    assert "dir=desc" not in page.url  # the first click: soonest first
    _wait_until(page, "document.activeElement && document.activeElement.dataset.sort === 'runway'")
    assert page.locator("#portfolio-table tbody tr").first.locator("td.num").nth(3).inner_text() == "depleted"
    _wait_until(page, "document.getElementById('portfolio-announce').textContent.includes('sorted by runway')")
    page.keyboard.press("Enter")  # the focused header again: now the other way
    page.wait_for_url(re.compile(r"sort=runway&dir=desc"))
    _wait_until(page, "document.activeElement && document.activeElement.dataset.sort === 'runway'")
    assert same_document(page) and watched.errors == []


def test_portfolio_fits_at_1280_and_scrolls_only_its_table_at_1024(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    sign_in(watched, live_server, email=live_server.admin_email, shot=False)
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        page.wait_for_selector("#portfolio-table tbody tr")
        assert _fits(page), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        last = page.locator("#portfolio-table thead th").last.bounding_box()
        wrapper = page.locator("#portfolio-table .table-scroll").bounding_box()
        if width == 1280:  # every column visible without scrolling
            assert last["x"] + last["width"] <= wrapper["x"] + wrapper["width"] + 1
        watched.shot(f"portfolio-issue13-{width}")
    assert watched.errors == []
