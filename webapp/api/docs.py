"""GET /api/v1/openapi.json and /api/docs: the contract, as JSON and as a page (no scripts, no network)."""

from __future__ import annotations

from flask import current_app, json, render_template

from webapp.api.blueprint import bp
from webapp.api.openapi_paths import openapi_document


@bp.get("/v1/openapi.json")
def openapi():
    return current_app.response_class(json.dumps(openapi_document()), mimetype="application/json")


def _operations(document: dict) -> list[dict]:
    base = document["servers"][0]["url"]
    rows = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            rows.append({"method": method.upper(), "path": base + path, **operation})
    return rows


@bp.get("/docs")
def docs():
    document = openapi_document()
    schemas = document["components"]["schemas"]
    return render_template("api/docs.html", doc=document, operations=_operations(document), schemas=schemas)
