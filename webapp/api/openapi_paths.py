"""The operations of the OpenAPI document: every path, parameter and response code."""

from __future__ import annotations

from webapp.api.openapi import SCHEMAS, ref
from webapp.api.params import DEFAULT_LIMIT, LIMIT_RANGE, YEAR_RANGE

JSON, PROBLEM, CSV = "application/json", "application/problem+json", "text/csv"
HEADER = {"schema": {"type": "string"}}


def _response(description: str, media: str | None = None, schema: dict | None = None, **headers: str) -> dict:
    response: dict = {"description": description}
    if media:
        response["content"] = {media: {"schema": schema or {"type": "string"}}}
    if headers:
        response["headers"] = {
            name.replace("_", "-"): {**HEADER, "description": text} for name, text in headers.items()
        }
    return response


def _problem(description: str, **headers: str) -> dict:
    return _response(description, PROBLEM, ref("Problem"), **headers)


COMMON = {
    "400": _problem("A credential was sent in the URL (refused).", WWW_Authenticate="Bearer challenge."),
    "401": _problem("Missing, invalid, expired or revoked token.", WWW_Authenticate="Bearer challenge with `error`."),
    "429": _problem("This client's rate limit was exceeded.", Retry_After="Seconds until the limit resets."),
    "500": _problem("Unexpected server error."),
}
NOT_MODIFIED = _response("The client's copy (If-None-Match / If-Modified-Since) is current.")
CONDITIONAL = {"ETag": "Entity tag of this representation.", "Last_Modified": "The snapshot's collected_at."}

YEAR = {
    "name": "year",
    "in": "query",
    "required": True,
    "description": "Year (4-digit).",
    "schema": {"type": "integer", "minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1]},
    "example": 2026,
}
MONTH = {
    "name": "month",
    "in": "query",
    "required": True,
    "description": "Month (1-12).",
    "schema": {"type": "integer", "minimum": 1, "maximum": 12},
    "example": 3,
}
FROM = {
    "name": "from",
    "in": "query",
    "description": "Only snapshots collected at or after this RFC 3339 time.",
    "schema": {"type": "string", "format": "date-time"},
}
TO = {
    "name": "to",
    "in": "query",
    "description": "Only snapshots collected before this RFC 3339 time.",
    "schema": {"type": "string", "format": "date-time"},
}
LIMIT = {
    "name": "limit",
    "in": "query",
    "description": "Page size.",
    "schema": {"type": "integer", "minimum": LIMIT_RANGE[0], "maximum": LIMIT_RANGE[1], "default": DEFAULT_LIMIT},
}
CURSOR = {
    "name": "cursor",
    "in": "query",
    "description": "Opaque `next_cursor` of the previous page.",
    "schema": {"type": "string", "maxLength": 512},
}


def _get(op_id: str, summary: str, description: str, ok: dict, *, params=(), extra=None, tag="Account") -> dict:
    responses = {"200": ok, **COMMON, **(extra or {})}
    operation = {"operationId": op_id, "tags": [tag], "summary": summary, "description": description}
    if params:
        operation["parameters"] = list(params)
    responses["422"] = _problem(
        "A query parameter is unknown, malformed, out of range or repeated; `parameter` names it."
    )
    return {"get": {**operation, "responses": dict(sorted(responses.items()))}}


def _no_data(what: str) -> dict:
    return {"404": _problem(f"No {what} has been collected yet.")}


def paths() -> dict:
    return {
        "/v1/oauth/token": {"post": token_operation()},
        "/v1/organization": _get(
            "getOrganization",
            "Get your organisation",
            "Resolved from the token: no parameters. Confirms which tenant the token is bound to.",
            _response("Your organisation.", JSON, ref("Organization")),
        ),
        **balance_paths(),
        **cost_paths(),
        "/v1/forecast": _get(
            "getForecast",
            "Get your balance and cost forecast",
            "When the balance is expected to reach zero and the low-balance threshold (80 % bands), and this "
            "month's projected cost, from the daily spend of completed UTC days (docs/forecasting.md); or why "
            "there is none. 404 until a first UTC day of data has completed.",
            _response("The forecast.", JSON, ref("Forecast")),
            extra={"404": _problem("No UTC day of data has completed yet.")},
        ),
        "/v1/openapi.json": public_get("getOpenApi", "This document", JSON, {"type": "object"}),
        "/docs": public_get("getDocs", "Readable documentation of this API", "text/html", {"type": "string"}),
    }


def balance_paths() -> dict:
    balance = _response("The newest balance snapshot, with freshness.", JSON, ref("LatestBalance"), **CONDITIONAL)
    return {
        "/v1/balance/latest": _get(
            "getLatestBalance",
            "Get your latest balance snapshot",
            "The most recently collected balance (newest collected_at). 404 until the first collection. "
            "Supports conditional requests (ETag / Last-Modified → 304).",
            balance,
            extra={"304": NOT_MODIFIED, **_no_data("balance")},
        ),
        "/v1/balance/history": _get(
            "getBalanceHistory",
            "List your balance history",
            "Snapshots newest first, keyset-paginated: follow next_cursor (also sent as a Link rel=next header).",
            _response("One page of snapshots.", JSON, ref("BalancePage"), Link="Next page, rel=next."),
            params=(LIMIT, CURSOR, FROM, TO),
        ),
        "/v1/balance/history.csv": _get(
            "getBalanceHistoryCsv",
            "Download your balance history as CSV",
            "All snapshots in the range, newest first, streamed as text/csv.",
            _response("CSV file.", CSV, Content_Disposition="Attachment with a descriptive file name."),
            params=(FROM, TO),
            tag="CSV",
        ),
    }


def cost_paths() -> dict:
    cost = _response("The newest snapshot of that month.", JSON, ref("CostSnapshot"), **CONDITIONAL)
    return {
        "/v1/costs/latest": _get(
            "getLatestCosts",
            "Get your latest monthly cost snapshot",
            "The latest snapshot for the month. Fees are org-wide totals; per-operator attribution is in usage_lines.",
            cost,
            params=(YEAR, MONTH),
            extra={"304": NOT_MODIFIED, **_no_data("cost snapshot for this month")},
        ),
        "/v1/costs/months": _get(
            "getCostMonths",
            "List months with cost data",
            "Months that have at least one cost snapshot.",
            _response("The months, newest first.", JSON, ref("CostMonths")),
        ),
        "/v1/costs/usage-lines.csv": _get(
            "getUsageLinesCsv",
            "Download a month's usage lines as CSV",
            "The usage lines of the month's latest snapshot, with a currency column.",
            _response("CSV file.", CSV, Content_Disposition="Attachment with a descriptive file name."),
            params=(YEAR, MONTH),
            extra=_no_data("cost snapshot for this month"),
            tag="CSV",
        ),
    }


def public_get(op_id: str, summary: str, media: str, schema: dict) -> dict:
    responses = {"200": _response(summary, media, schema), "429": COMMON["429"], "500": COMMON["500"]}
    return {
        "get": {
            "operationId": op_id,
            "tags": ["Documentation"],
            "summary": summary,
            "security": [],
            "responses": responses,
        }
    }


def token_operation() -> dict:
    form = "application/x-www-form-urlencoded"
    oauth = "RFC 9457 problem with RFC 6749 `error` and `error_description`."
    return {
        "operationId": "issueToken",
        "tags": ["Authentication"],
        "summary": "Get an access token (client credentials)",
        "description": "OAuth 2.0 client-credentials grant (RFC 6749 §4.4). Authenticate the client with HTTP Basic "
        "(client_id:client_secret) or with the client_id and client_secret form fields, not both.",
        "security": [],
        "requestBody": {"required": True, "content": {form: {"schema": ref("TokenRequest")}}},
        "responses": {
            "200": _response("A short-lived bearer token.", JSON, ref("Token"), Cache_Control="no-store"),
            "400": _problem(f"invalid_request or unsupported_grant_type. {oauth}"),
            "401": _problem(f"invalid_client. {oauth}", WWW_Authenticate="Basic challenge."),
            "415": _problem("The body is not application/x-www-form-urlencoded."),
            "429": COMMON["429"],
            "500": COMMON["500"],
        },
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Account Desk integration API",
            "version": "1.0.0",
            "description": "Your organisation's balance and costs. The organisation comes only from the token. "
            "Amounts are decimal strings; timestamps are UTC ISO 8601 with Z; errors are RFC 9457 problems.",
        },
        "servers": [{"url": "/api"}],
        "security": [{"bearerAuth": []}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Access token from POST /api/v1/oauth/token.",
                },
            },
        },
    }
