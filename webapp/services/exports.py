"""CSV per SPEC §7: UTF-8, header row, dot decimals, a currency column, formula neutralisation for text
cells (OWASP CSV injection), streamed row by row. Two flavours: the API's machine CSV (ISO 8601 UTC with
Z, no byte order mark) and the dashboard's spreadsheet CSV (a byte order mark, `YYYY-MM-DD HH:MM:SS`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal

from webapp.domain.money import format_amount
from webapp.queries.costs import UsageRow
from webapp.services.export_tables import Table, local_wall_time

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Spreadsheets also act on a trigger after leading blanks, and on its full-width forms (＝＋－＠).
FIRST_CHARACTER_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")  # zero-width characters a spreadsheet skips too
# Bidirectional controls can make a cell read differently from what it holds ("Trojan Source"): removed.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 with Z, e.g. 2026-03-10T09:00:00Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def cell(value: object) -> str:
    """One CSV cell: numbers stay numbers (a negative amount stays -3.10); text that a
    spreadsheet would run as a formula is prefixed with a single quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    return neutralised(str(value))


def neutralised(text: str) -> str:
    """Text without bidi controls, prefixed with a single quote if a spreadsheet could run it as a formula:
    a trigger first, or first after blanks (any Unicode space, NBSP, tab) or zero-width characters.
    A plain decimal such as -3.10 is a number, not a formula, and stays as it is."""
    text = text.translate(BIDI_CONTROLS)
    if PLAIN_NUMBER.fullmatch(text):
        return text
    first = next((char for char in text if not char.isspace() and char not in INVISIBLE), "")
    return "'" + text if text.startswith(FORMULA_TRIGGERS) or first in FIRST_CHARACTER_TRIGGERS else text


USAGE_LINE_COLUMNS = ["service", "operator_id", "operator_name", "quantity", "unit", "amount", "currency"]


def usage_line_cells(line: UsageRow, currency: str) -> list[object]:
    """The cells under USAGE_LINE_COLUMNS, which every usage CSV ends with."""
    return [line.service, line.operator_id, line.operator_name, line.quantity, line.unit, line.amount, currency]


def stream_csv(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield the CSV text a row at a time (for a streamed Flask response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(value) for value in row])
        yield buffer.getvalue()


# The dashboard's flavour (SPEC §7): for spreadsheets, not machines.
BYTE_ORDER_MARK = "\ufeff"  # tells a spreadsheet the file is UTF-8, so "Zürich" opens as Zürich
SPREADSHEET_TIME = "%Y-%m-%d %H:%M:%S"  # read as a date and time by LibreOffice and Excel alike


def spreadsheet_cell(value: object, zone: tzinfo) -> object:
    """A cell of the dashboard's CSV: like `cell`, but a timestamp is wall-clock time in the table's zone
    (the zone is named in the column title), which spreadsheets read as a date."""
    if isinstance(value, datetime):
        return local_wall_time(value, zone).strftime(SPREADSHEET_TIME)
    return cell(value)


def stream_spreadsheet_csv(table: Table) -> Iterator[str]:
    """The dashboard's CSV a row at a time: a byte order mark, the header, then the rows."""
    yield BYTE_ORDER_MARK
    rows = ([spreadsheet_cell(value, table.zone) for value in row] for row in table.rows)
    yield from stream_csv(table.header, rows)
