"""Downloads from the pages in headless Chromium (issue 13 item 5): the portfolio's CSV holds the rows the
table shows (byte order mark first), and a month's XLSX, opened by LibreOffice, adds up to the total the
cost page shows. Both links sit next to each other, and nothing logs a console error."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from tests.libreoffice import open_in_libreoffice
from webapp.domain.money import format_money_usual

pytestmark = pytest.mark.browser


def _sign_in(page, server) -> None:
    page.goto(server.url + "/login")
    page.fill("#email", server.manager_email)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def test_the_portfolio_csv_is_the_table_as_shown(live_server, browser_page):
    watched, page = browser_page, browser_page.page
    _sign_in(page, live_server)
    page.wait_for_selector("#portfolio-table tbody tr")
    shown = page.locator("#portfolio-table td.org-name a").all_inner_texts()
    watched.shot("exports-01-portfolio")
    with page.expect_download() as download:
        page.click("#portfolio-table a:has-text('Download CSV')")
    assert download.value.suggested_filename.startswith("portfolio-")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row["Organization"] for row in rows] == shown and len(rows) == 3
    assert all(row["Balance unchanged since (UTC)"][10] == " " for row in rows if row["Balance unchanged since (UTC)"])
    assert watched.errors == []


def test_the_month_xlsx_adds_up_to_the_page(live_server, browser_page, tmp_path):
    watched, page = browser_page, browser_page.page
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/orgs/{live_server.manager_org_ids[0]}/costs")
    page.wait_for_selector("#cost-breakdown .main-svg")
    links = page.locator("#cost-breakdown .downloads a")
    assert links.all_inner_texts() == ["Download CSV", "Download XLSX"]
    watched.shot("exports-02-costs-1280")
    page_total = page.locator("#cost-breakdown .stat-value").first.inner_text()
    with page.expect_download() as download:
        page.click("#cost-breakdown a:has-text('Download XLSX')")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    (rows,) = open_in_libreoffice([path], tmp_path).values()
    header = [cell.text for cell in rows[0]]
    kind, amount, currency = header.index("Kind"), header.index("Amount"), header.index("Currency")
    *parts, total_row = rows[1:]
    assert total_row[kind].text == "Total" and all(row[amount].type == "float" for row in rows[1:])
    total = Decimal(total_row[amount].value)
    assert sum(Decimal(row[amount].value) for row in parts) == total
    assert format_money_usual(total, total_row[currency].text) == page_total
    page.set_viewport_size({"width": 1024, "height": 900})
    watched.shot("exports-03-costs-1024")
    assert watched.errors == []
