"""Forecasts in headless Chromium (issue 14 §4): the organisation page's balance chart draws the dashed
projection to zero with its 80 % band shaded, the "Runs out" card says when; the cost page shows the
projected month total and draws the projection and the previous month; no console errors and no
horizontal page scroll at 1280 and 1024 px. Screenshots in the e2e screenshot folder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.browser

CHART = "#balance-chart .chart"
ACCRUAL = "#cost-breakdown section[aria-labelledby='accrual-heading'] .chart"


def sign_in_as_admin(page, server) -> None:
    page.goto(server.url + "/login")
    page.fill("#email", server.admin_email)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def drawn_traces(page, selector: str) -> list[dict]:
    """Per trace Plotly drew: its name, dash and fill; `areas`: the filled areas drawn in the whole plot
    (Plotly draws a "tonexty" fill in the group of the trace it fills to)."""
    page.wait_for_selector(f"{selector} .main-svg")
    return page.evaluate(
        """(selector) => {
            const plot = document.querySelector(selector);
            return plot._fullData.map((t, i) => ({
                name: t.name, dash: t.line && t.line.dash, fill: t.fill,
                areas: [...plot.querySelectorAll('.scatterlayer path.js-fill')].filter(
                    (p) => (p.getAttribute('d') || '').length > 10).length,
            }));
        }""",
        selector,
    )


def organisation_with_forecast(page, server) -> int:
    for organization_id in [*server.manager_org_ids, server.other_org_id]:
        page.goto(f"{server.url}/orgs/{organization_id}")
        if page.locator("#runs-out strong").count():
            return organization_id
    raise AssertionError("the demo data should have an organisation whose balance runs out")


def test_the_projection_and_its_band_on_both_pages(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    sign_in_as_admin(page, live_server)
    organization_id = organisation_with_forecast(page, live_server)
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/orgs/{organization_id}")
        traces = {trace["name"]: trace for trace in drawn_traces(page, CHART)}
        assert traces["projection"]["dash"] == "dash"
        assert traces["80 % band (latest)"]["fill"] == "tonexty" and traces["80 % band (latest)"]["areas"] == 1
        runs_out = page.locator("#runs-out").inner_text()
        assert "80 % band" in runs_out and "weekday-median-28d" in runs_out
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        watched.shot(f"forecast-organization-{width}")
        page.locator(CHART).screenshot(path=str(watched.shot(f"forecast-organization-chart-{width}")))

        page.goto(f"{live_server.url}/orgs/{organization_id}/costs")
        card = page.locator("#projected-total").inner_text()
        accrual = {trace["name"]: trace for trace in drawn_traces(page, ACCRUAL)}
        assert "previous month" in accrual
        if "Month total (closed)" in card:  # a month's first hours: the demo's new month has no costs yet
            assert datetime.now(UTC).day == 1 and "a closed month is not projected" in card
            assert "projection" not in accrual
        else:
            assert "Projected month total" in card and "80 % band" in card
            assert accrual["projection"]["dash"] == "dash" and accrual["80 % band (high)"]["areas"] == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        watched.shot(f"forecast-costs-{width}")
        page.locator(ACCRUAL).screenshot(path=str(watched.shot(f"forecast-costs-chart-{width}")))
    assert watched.errors == []
