"""CSV downloads as HTTP responses: streamed row by row, never cached, recorded in the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, stream_with_context

from webapp.services import audit
from webapp.services.exports import stream_csv


def csv_response(header: list[str], rows: Iterable[Iterable[object]], filename: str) -> Response:
    """A streamed text/csv download (rows are read while the response is sent), recorded in the audit log."""
    audit.record_export(filename)
    response = Response(stream_with_context(stream_csv(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
