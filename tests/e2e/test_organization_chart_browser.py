"""The organisation page's balance chart in headless Chromium (issue 13 §3): Plotly draws the zero line,
the low-balance threshold line (only where one is set) and the top-up markers, hovering over a marker
shows the top-up in the tables' money format, and nothing reaches the console. Screenshots of the
organisation page and the cost page at 1280 and 1024 px."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

CHART = "#balance-chart .chart"


def sign_in_as_admin(page, server) -> None:
    page.goto(server.url + "/login")
    page.fill("#email", server.admin_email)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def drawn(page) -> dict:
    """What Plotly drew: the shapes of its full layout, the y range, the trace names and marker count."""
    page.wait_for_selector(f"{CHART} .main-svg")
    return page.evaluate(
        """(selector) => {
            const plot = document.querySelector(selector);
            return {
                shapes: plot._fullLayout.shapes.map((s) => ({name: s.name, y: s.y0})),
                yrange: plot._fullLayout.yaxis.range,
                traces: plot.data.map((t) => t.name),
                shapePaths: plot.querySelectorAll('.shapelayer path').length,
                points: plot.querySelectorAll('.scatterlayer .trace .points path').length,
                lines: plot.querySelectorAll('.scatterlayer path.js-line').length,
            };
        }""",
        CHART,
    )


def organisations_with_and_without_threshold(page, server) -> tuple[int, int]:
    found: dict[bool, int] = {}
    for organization_id in [*server.manager_org_ids, server.other_org_id]:
        page.goto(f"{server.url}/orgs/{organization_id}")
        found.setdefault(page.locator("text=Low-balance threshold:").count() > 0, organization_id)
    assert set(found) == {True, False}, "the demo data should have organisations with and without a threshold"
    return found[True], found[False]


def test_balance_chart_draws_zero_threshold_and_top_ups(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    sign_in_as_admin(page, live_server)
    guarded, plain = organisations_with_and_without_threshold(page, live_server)

    page.goto(f"{live_server.url}/orgs/{guarded}")
    chart = drawn(page)
    assert [shape["name"] for shape in chart["shapes"]] == ["zero", "low-balance threshold"]
    assert chart["shapePaths"] == 2 and chart["lines"] >= 1  # the balance, and the projection when there is one
    assert chart["yrange"][0] <= 0 <= chart["yrange"][1]  # the zero line is inside the plot
    assert chart["yrange"][0] <= chart["shapes"][1]["y"] <= chart["yrange"][1]
    assert chart["traces"][:2] == ["balance", "top-ups"] and chart["points"] >= 1  # then any projection
    watched.shot("orgpage-organization-1280")

    marker = page.locator(f"{CHART} .scatterlayer .trace .points path").first
    marker.hover(force=True)
    hover = page.locator(f"{CHART} .hoverlayer .hovertext")
    hover.wait_for()
    text = hover.text_content() or ""  # SVG text: the lines of the label run together
    first_label = page.evaluate(f"document.querySelector('{CHART}').data[1].customdata[0]")
    assert text == first_label.replace("<br>", "")  # the server's label, formatted as the tables format money
    assert re.fullmatch(r"Top-up \+\S+ → \S+\d{4}-\d\d-\d\d \d\d:\d\d UTC", text), text

    page.click("#balance-chart a:has-text('1 y')")
    page.wait_for_selector(f"{CHART}[data-range='1y'] .main-svg")
    year = drawn(page)
    assert year["shapePaths"] == 2 and year["traces"][:2] == ["balance", "top-ups"]
    assert page.locator("#history-note").inner_text().startswith("History starts ")  # 75 days of demo history
    assert "each UTC day's closing balance" in page.locator(".chart-legend").inner_text()
    watched.shot("orgpage-organization-1y-1280")

    page.goto(f"{live_server.url}/orgs/{plain}")
    assert [shape["name"] for shape in drawn(page)["shapes"]] == ["zero"]
    assert watched.errors == []


def test_screenshots_of_the_organisation_and_cost_pages(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    sign_in_as_admin(page, live_server)
    organization_id = live_server.manager_org_ids[0]
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/orgs/{organization_id}")
        drawn(page)
        watched.shot(f"orgpage-organization-{width}")
        page.goto(f"{live_server.url}/orgs/{organization_id}/costs")
        page.wait_for_selector("#cost-breakdown .chart .main-svg")
        assert page.locator("text=Usage usage").count() == 0
        watched.shot(f"orgpage-costs-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert watched.errors == []
