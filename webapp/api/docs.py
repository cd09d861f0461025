"""GET /api/v1/openapi.json and /api/docs: the contract, as JSON and as a page (no scripts, no network)."""

from __future__ import annotations

import re

from flask import Response, current_app, json, render_template
from markupsafe import Markup, escape

from webapp.api.blueprint import bp
from webapp.api.openapi_paths import openapi_document


@bp.get("/v1/openapi.json")
def openapi() -> Response:
    return current_app.response_class(json.dumps(openapi_document()), mimetype="application/json")


@bp.app_template_filter("code_spans")
def code_spans(text: str | None) -> Markup:
    """CommonMark `code` spans of OpenAPI descriptions as <code>, everything else escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))  # noqa: S704 - escaped first


def _operations(document: dict) -> list[dict]:
    base = document["servers"][0]["url"]
    rows: list[dict] = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            rows.append({"method": method.upper(), "path": base + path, **operation})
    return rows


@bp.get("/docs")
def docs() -> str:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    return render_template("api/docs.html", doc=document, operations=_operations(document), schemas=schemas)
