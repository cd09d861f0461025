"""The dashboard's downloads opened by a real spreadsheet engine (issue 13 item 5): LibreOffice headless
imports each CSV (byte order mark, encoding detected) and each .xlsx, and the cells it reads back have the
right types: names with umlauts as text, amounts (negative ones too) as numbers, timestamps as dates,
a formula-like name as text, and a month whose amounts add up to its total."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.dashboard_data import signed_in
from tests.exports_data import FORMULA_NAME, MONTH, NAME, TOTAL, seed_example
from tests.libreoffice import Cell, open_in_libreoffice, soffice

EXPORTS = {
    "portfolio": "/portfolio.{extension}",
    "balance": "/orgs/{id}/balance.{extension}?range=all",
    "costs": "/orgs/{id}/costs.{extension}?month=" + MONTH,
}


def _records(rows: list[list[Cell]]) -> list[dict[str, Cell]]:
    header = [cell.text for cell in rows[0]]
    empty = Cell("", "", "")
    return [dict(zip(header, row + [empty] * (len(header) - len(row)), strict=True)) for row in rows[1:]]


def _download(client, example, extension: str, folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for stem, url in EXPORTS.items():
        response = client.get(url.format(extension=extension, id=example.org.id))
        assert response.status_code == 200, url
        path = folder / f"{stem}.{extension}"
        path.write_bytes(response.get_data())
        paths.append(path)
    return paths


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_libreoffice_reads_names_numbers_dates_and_totals(app, client, tmp_path, extension):
    soffice()
    example = seed_example()
    signed_in(client, organizations=[example.org, example.other])
    files = _download(client, example, extension, tmp_path / "downloads")
    sheets = {name.split(".")[0]: _records(rows) for name, rows in open_in_libreoffice(files, tmp_path).items()}

    portfolio = {record["Organization ID"].value: record for record in sheets["portfolio"]}
    mine, formula = portfolio[str(example.org.id)], portfolio[str(example.other.id)]
    assert (mine["Organization"].type, mine["Organization"].text) == ("string", NAME)
    assert (mine["Balance"].type, Decimal(mine["Balance"].value)) == ("float", Decimal("-3.10"))
    assert mine["Overdrawn"].text == "TRUE" and mine["Low balance"].text == "FALSE"  # a logical value (XLSX: 1/0)
    since = mine["Balance unchanged since (UTC)"]
    assert (since.type, since.value) == ("date", "2026-03-30T09:15:07")
    assert formula["Organization"].type == "string" and FORMULA_NAME in formula["Organization"].text  # not 3

    (latest, first) = sheets["balance"]
    assert [(cell.type, Decimal(cell.value)) for cell in (latest["Amount"], latest["Change"])] == [
        ("float", Decimal("-3.10")),
        ("float", Decimal("-103.10")),
    ]
    collected = first["Collected at (UTC)"]
    assert collected.type == "date" and datetime.fromisoformat(collected.value) == datetime(2026, 3, 1)
    assert first["Change"].type == ""  # no previous amount: an empty cell, not 0

    costs = sheets["costs"]
    assert {"Straßenbahn-Telemetrie", "Gutschrift"} <= {record["Service or fee"].text for record in costs}
    assert "Jörg Ärger" in {record["Operator"].text for record in costs}
    assert all(record["Amount"].type == "float" for record in costs)
    total = Decimal(costs[-1]["Amount"].value)
    assert costs[-1]["Kind"].text == "Total" and total == TOTAL
    assert sum(Decimal(record["Amount"].value) for record in costs[:-1]) == total
    assert Decimal("-3.1") in {Decimal(record["Amount"].value) for record in costs}
    if extension == "xlsx":  # the workbook's own formats: the currency's decimals, dates as dates
        assert mine["Balance"].text == "-3.10 EUR" and costs[-1]["Amount"].text == "121.90 EUR"
        assert since.text == "2026-03-30 09:15:07"
