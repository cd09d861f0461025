"""The .xlsx twin of each dashboard CSV (SPEC §7): typed cells (numbers, dates, flags), money in the
currency's decimals, the header row frozen. XlsxWriter in constant_memory mode writes each row to a
temporary file as it comes; the finished workbook is another temporary file, streamed back in chunks
and deleted when the response ends, so a large export never sits in memory."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from typing import IO

from babel.numbers import get_currency_precision
from flask import Response
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from webapp.services import audit
from webapp.services.export_tables import Kind, Table, local_wall_time
from webapp.services.exports import BIDI_CONTROLS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
WIDTHS = {Kind.TEXT: 24, Kind.INTEGER: 12, Kind.MONEY: 18, Kind.NUMBER: 14, Kind.TIMESTAMP: 20, Kind.FLAG: 10}


def xlsx_response(table: Table, filename: str) -> Response:
    """Write the table to a temporary workbook, record the export, and stream the file back."""
    workbook_file = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this function: the body closes (deletes) it
    try:
        write_workbook(table, workbook_file)
        size = workbook_file.tell()
        workbook_file.seek(0)
    except BaseException:
        workbook_file.close()
        raise
    audit.record_export(filename)
    response = Response(_TemporaryFileBody(workbook_file), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "private, no-store"
    return response


class _TemporaryFileBody:
    """The file in 64 KiB pieces, closed (and so deleted) once read to the end or when the server closes
    the response (a HEAD request, a client that went away)."""

    def __init__(self, workbook_file: IO[bytes]) -> None:
        self.workbook_file = workbook_file

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self.workbook_file.read(CHUNK):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.workbook_file.close()


class _Formats:
    """The workbook's cell formats, one per kind and one per currency (created on first use)."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bottom": 1})
        self.timestamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.number = workbook.add_format({"num_format": "General"})
        self._money: dict[str | None, Format] = {}

    def money(self, currency: object) -> Format:
        code = currency if isinstance(currency, str) and currency.isalpha() else None
        if code not in self._money:
            decimals = get_currency_precision(code) if code else 2
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            self._money[code] = self.workbook.add_format({"num_format": f'{pattern} "{code}"' if code else pattern})
        return self._money[code]


def write_workbook(table: Table, output: IO[bytes]) -> None:
    """The table as one worksheet, written row by row (constant memory)."""
    workbook = Workbook(output, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    formats = _Formats(workbook)
    sheet = workbook.add_worksheet(table.sheet[:31])
    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, max(WIDTHS[column.kind], len(column.title) + 2))
    sheet.freeze_panes(1, 0)
    for index, title in enumerate(table.header):
        sheet.write_string(0, index, title, formats.header)
    for row_number, row in enumerate(table.rows, start=1):
        _write_row(sheet, formats, row_number, row, table)
    workbook.close()


def _write_row(sheet: Worksheet, formats: _Formats, row_number: int, row: Sequence[object], table: Table) -> None:
    """One row, each cell typed by its column; a missing value stays an empty cell."""
    for index, (value, column) in enumerate(zip(row, table.columns, strict=True)):
        if value is None:
            continue
        if column.kind is Kind.MONEY:
            currency = None if column.currency is None else row[column.currency]
            sheet.write_number(row_number, index, value, formats.money(currency))
        elif column.kind in (Kind.INTEGER, Kind.NUMBER):
            sheet.write_number(row_number, index, value, formats.number)
        elif column.kind is Kind.TIMESTAMP:
            moment = local_wall_time(value, table.zone)  # type: ignore[arg-type]
            sheet.write_datetime(row_number, index, moment, formats.timestamp)
        elif column.kind is Kind.FLAG:
            sheet.write_boolean(row_number, index, bool(value))
        else:  # a string cell is never run as a formula, so it needs no quote; bidi controls still go
            sheet.write_string(row_number, index, str(value).translate(BIDI_CONTROLS))
