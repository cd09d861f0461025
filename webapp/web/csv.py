"""CSV downloads as HTTP responses: streamed row by row, never cached, recorded in the audit log.
`csv_response` is the API's machine CSV; `spreadsheet_csv_response` the dashboard's (SPEC §7)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

from webapp.services import audit
from webapp.services.export_tables import Table
from webapp.services.exports import stream_csv, stream_spreadsheet_csv


def csv_response(header: list[str], rows: Iterable[Iterable[object]], filename: str) -> Response:
    """A streamed text/csv download (rows are read while the response is sent), recorded in the audit log."""
    return _download(stream_csv(header, rows), filename)


def spreadsheet_csv_response(table: Table, filename: str) -> Response:
    """The dashboard's CSV of a table (byte order mark, spreadsheet timestamps), streamed and recorded."""
    return _download(stream_spreadsheet_csv(table), filename)


def _download(chunks: Iterator[str], filename: str) -> Response:
    audit.record_export(filename)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
