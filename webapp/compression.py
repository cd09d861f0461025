"""gzip for text responses (HTML, JS, CSS, JSON, SVG); static files are compressed once and kept in memory."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)
MIN_SIZE = 500
_static_cache: dict[str, bytes] = {}


def _wants_gzip(response: Response) -> bool:
    # The JSON API is left byte-exact: its ETags name one representation, and integrations
    # (or the proxy in front of them) negotiate their own compression.
    return (
        not request.path.startswith("/api/")
        and "gzip" in request.headers.get("Accept-Encoding", "").lower()
        and response.status_code == 200
        and response.mimetype in COMPRESSIBLE
        and "Content-Encoding" not in response.headers
        and not (response.is_streamed and not response.direct_passthrough)
    )


def _body(response: Response) -> bytes:
    """The whole body; a file-backed body (send_file) is closed once read."""
    source = response.response
    try:
        return response.get_data()
    finally:
        if hasattr(source, "close"):
            source.close()


def _static_gzip(response: Response) -> bytes:
    """Keyed by path and ETag (which changes with the file), so a changed file is recompressed."""
    key = f"{request.path}:{response.get_etag()[0]}"
    if key not in _static_cache:
        _static_cache[key] = gzip.compress(_body(response), compresslevel=9, mtime=0)
    else:
        _body(response)
    return _static_cache[key]


def init_compression(app: Flask) -> None:
    @app.after_request
    def compress(response: Response) -> Response:
        response.vary.add("Accept-Encoding")
        if not _wants_gzip(response):
            return response
        response.direct_passthrough = False
        if request.endpoint == "static":
            response.set_data(_static_gzip(response))
        elif (response.calculate_content_length() or 0) >= MIN_SIZE:
            response.set_data(gzip.compress(_body(response), compresslevel=6))
        else:
            return response
        response.headers["Content-Encoding"] = "gzip"
        return response
