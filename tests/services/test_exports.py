"""The two CSV flavours and the zone of the dashboard's timestamps (SPEC §7, §11), without a database."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from webapp.services.export_tables import Column, Kind, Table
from webapp.services.exports import stream_csv, stream_spreadsheet_csv
from webapp.web.xlsx import write_workbook

AT = datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)
COLUMNS = [Column("Organization"), Column("Collected at", Kind.TIMESTAMP), Column("Amount", Kind.MONEY, currency=3),
           Column("Currency")]  # fmt: skip
ROWS = [["Zürich AG", AT, Decimal("-3.10"), "EUR"], ["=cmd", AT, Decimal("1500"), "JPY"]]


def _table(zone=UTC) -> Table:
    return Table("Sheet", COLUMNS, iter(ROWS), zone)


def test_the_api_flavour_is_for_machines():
    text = "".join(stream_csv(["name", "collected_at", "amount", "currency"], ROWS))
    assert text.startswith("name,") and "2026-03-10T09:00:05Z" in text and "Zürich AG" in text
    assert "-3.10" in text and "'=cmd" in text


def test_the_dashboard_flavour_is_for_spreadsheets():
    text = "".join(stream_spreadsheet_csv(_table()))
    assert text.startswith("\ufeffOrganization,Collected at (UTC),Amount,Currency\r\n")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1] == ["Zürich AG", "2026-03-10 09:00:05", "-3.10", "EUR"]
    assert rows[2][0] == "'=cmd" and rows[2][2] == "1500.00"


def test_the_zone_is_one_parameter_that_names_itself_in_the_header():
    text = "".join(stream_spreadsheet_csv(_table(ZoneInfo("Europe/Berlin"))))
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][1] == "Collected at (Europe/Berlin)" and rows[1][1] == "2026-03-10 10:00:05"


def test_the_workbook_types_its_cells_with_the_currency_decimals():
    output = io.BytesIO()
    write_workbook(_table(), output)
    with zipfile.ZipFile(output) as workbook:
        styles = workbook.read("xl/styles.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert 'formatCode="#,##0.00 &quot;EUR&quot;"' in styles and 'formatCode="#,##0 &quot;JPY&quot;"' in styles
    assert 'formatCode="yyyy-mm-dd hh:mm:ss"' in styles
    assert 's="3"><v>-3.10</v>' in sheet and 's="4"><v>1500</v>' in sheet  # numbers in their currency formats
    assert 's="2"><v>46091.37505787037</v>' in sheet  # 2026-03-10 09:00:05 as a date serial
    assert ">=cmd<" in sheet and "<f>" not in sheet  # an inline string, never a formula
