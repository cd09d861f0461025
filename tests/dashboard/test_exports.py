"""The dashboard's downloads (SPEC §7): spreadsheet CSVs (byte order mark, `YYYY-MM-DD HH:MM:SS` with the
zone in the column name), a month's costs that reconcile to the cost page, and an .xlsx twin of each,
under the pages' access rules."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.dashboard_data import signed_in
from tests.exports_data import FORMULA_NAME, LINES_TOTAL, MONTH, NAME, TOTAL, USAGE_FEE, dashboard_csv, seed_example
from webapp.domain.money import format_money_usual
from webapp.extensions import db
from webapp.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _urls(example) -> list[str]:
    org = example.org.id
    return ["/portfolio.{}", f"/orgs/{org}/balance.{{}}?range=all", f"/orgs/{org}/costs.{{}}?month={MONTH}"]


def test_the_month_reconciles_to_the_cost_page(app, client):
    example = seed_example()
    signed_in(client, role="admin")
    rows = dashboard_csv(client.get(f"/orgs/{example.org.id}/costs.csv?month={MONTH}"))
    kinds = [row["Kind"] for row in rows]
    assert kinds == ["Usage line"] * 3 + ["Unattributed usage", "Fee", "Total"]

    def amounts(kind: str) -> list[Decimal]:
        return [Decimal(row["Amount"]) for row in rows if row["Kind"] == kind]

    assert sum(amounts("Usage line")) == LINES_TOTAL and amounts("Unattributed usage") == [USAGE_FEE - LINES_TOTAL]
    (total,) = amounts("Total")
    assert sum(amounts("Usage line") + amounts("Unattributed usage") + amounts("Fee")) == total == TOTAL
    page = client.get(f"/orgs/{example.org.id}/costs?month={MONTH}").get_data(as_text=True)
    assert f">{format_money_usual(total, 'EUR')}</span></td>" in page  # the page's total, the same
    assert [row["Service or fee"] for row in rows if row["Kind"] == "Fee"] == ["Grundgebühr"]
    credit = rows[2]
    assert (credit["Amount"], credit["Quantity"], credit["Currency"]) == ("-3.10", "-1.00", "EUR")
    assert rows[0]["Operator"] == "Jörg Ärger" and rows[0]["Quantity"] == "1200.50"
    assert {row["Snapshot collected at (UTC)"] for row in rows} == {"2026-04-01 03:00:00"}
    assert {row["Month (UTC)"] for row in rows} == {MONTH} and {row["Organization"] for row in rows} == {NAME}


def test_the_balance_history_has_spreadsheet_timestamps(app, client):
    example = seed_example()
    signed_in(client, organizations=[example.org])
    response = client.get(f"/orgs/{example.org.id}/balance.csv?range=all")
    assert f"balance-history-org{example.org.id}-all-" in response.headers["Content-Disposition"]
    rows = dashboard_csv(response)
    assert [(r["Collected at (UTC)"], r["Previous amount"], r["Amount"], r["Change"]) for r in rows] == [
        ("2026-03-30 09:15:07", "100.00", "-3.10", "-103.10"),
        ("2026-03-01 00:00:00", "", "100.00", ""),
    ]


def test_the_portfolio_csv_neutralises_formulas_and_keeps_numbers(app, client):
    example = seed_example()
    signed_in(client, organizations=[example.org, example.other])
    rows = {row["Organization ID"]: row for row in dashboard_csv(client.get("/portfolio.csv"))}
    mine, formula = rows[str(example.org.id)], rows[str(example.other.id)]
    assert mine["Organization"] == NAME and mine["Balance"] == "-3.10" and mine["Overdrawn"] == "true"
    assert mine["Balance unchanged since (UTC)"] == "2026-03-30 09:15:07"
    assert formula["Organization"] == "'" + FORMULA_NAME and formula["Balance"] == "12.50"


def test_every_csv_has_an_xlsx_twin_with_a_frozen_header(app, client):
    example = seed_example()
    signed_in(client, organizations=[example.org])
    for url in _urls(example):
        response = client.get(url.format("xlsx"))
        assert response.status_code == 200 and response.mimetype == XLSX, url
        assert ".xlsx" in response.headers["Content-Disposition"] and "no-store" in response.headers["Cache-Control"]
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as workbook:
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet, url
        assert NAME.replace("&", "&amp;") in sheet and "<f>" not in sheet, url  # inline text, never a formula


def test_a_manager_gets_404_for_other_organisations_in_every_format(app, client):
    example = seed_example()
    signed_in(client, organizations=[example.other])
    for url in _urls(example)[1:]:
        for extension in ("csv", "xlsx"):
            assert client.get(url.format(extension)).status_code == 404, (url, extension)
    for extension in ("csv", "xlsx"):
        assert NAME not in client.get(f"/portfolio.{extension}").get_data().decode("utf-8", "replace")


@pytest.mark.parametrize("query", ["", "?month=nope", "?month=2025-07"])
def test_a_month_export_needs_a_month_with_data(app, client, query):
    example = seed_example()
    signed_in(client, role="admin")
    expected = 404 if query.endswith("2025-07") else 400
    for extension in ("csv", "xlsx"):
        assert client.get(f"/orgs/{example.org.id}/costs.{extension}{query}").status_code == expected


def test_xlsx_downloads_are_audited_like_csvs(app, client):
    example = seed_example()
    signed_in(client, organizations=[example.org])
    assert client.get(f"/orgs/{example.org.id}/balance.xlsx").status_code == 200
    recorded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "csv_export")).all()
    assert [event.details["path"] for event in recorded] == [f"/orgs/{example.org.id}/balance.xlsx"]
