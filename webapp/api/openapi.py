"""The OpenAPI 3.1 document of /api/v1: built as a dict, served as JSON and rendered as the docs page."""

from __future__ import annotations

from webapp.read_model.forecast import STATUSES

# SPEC §2: plain decimal, no exponent, 2–8 fractional digits, |x| < 10^10.
AMOUNT_PATTERN = r"^-?(0|[1-9][0-9]{0,9})\.[0-9]{2,8}$"
QUANTITY_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}
    return {**schema, "description": description} if description else schema


NO_NUL = "^[^\\x00]*$"  # a NUL byte is refused with 400 invalid_request (it cannot reach the database)


def _text(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def _nullable_text(description: str) -> dict:
    return {"type": ["string", "null"], "description": description}


TIMESTAMP = {
    "type": "string",
    "format": "date-time",
    "pattern": TIMESTAMP_PATTERN,
    "description": "UTC, ISO 8601 with Z.",
}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 currency code."}
ORG_ID = {"type": "integer", "description": "Identifier of the organisation the token is bound to."}

DAY = {"type": "string", "format": "date", "description": "A UTC day, ISO 8601 (2026-03-31)."}
NULLABLE_DAY = {"oneOf": [DAY, {"type": "null"}]}
NULLABLE_AMOUNT = {"oneOf": [ref("Amount"), {"type": "null"}]}
FORECAST_SCHEMAS: dict[str, dict] = {
    "DateBand": _obj(
        {"expected": DAY, "earliest": DAY, "latest": DAY},
        "The expected day and its 80 % band (earliest, latest).",
    ),
    "ThresholdCrossing": _obj(
        {
            "level": {**ref("Amount"), "description": "The low-balance threshold."},
            "expected": NULLABLE_DAY,
            "earliest": NULLABLE_DAY,
            "latest": NULLABLE_DAY,
            "reason": _nullable_text("Why there is no date (already below it, not within the horizon); else null."),
        },
        "When the balance is expected to cross the low-balance threshold, with the 80 % band.",
    ),
    "MonthProjection": _obj(
        {
            "year": {"type": "integer"},
            "month": {"type": "integer", "minimum": 1, "maximum": 12},
            "as_of": {**DAY, "description": "The last completed UTC day read."},
            "method": _text("weekday-median-28d, or actual for a closed month."),
            "currency": {"oneOf": [CURRENCY, {"type": "null"}]},
            "month_to_date": ref("Amount"),
            "expected": NULLABLE_AMOUNT,
            "low": NULLABLE_AMOUNT,
            "high": NULLABLE_AMOUNT,
            "reason": _nullable_text("Why there is no projection (too little history, no spend); else null."),
        },
        "This month's cost: month-to-date plus the projected remaining days, with the 80 % band (low, high).",
    ),
    "Forecast": _obj(
        {
            "organization_id": ORG_ID,
            "as_of": {**DAY, "description": "The last completed UTC day the forecast reads."},
            "method": _text("How it was computed (docs/forecasting.md), e.g. weekday-median-28d-revert-730d."),
            "history_days": {
                "type": ["integer", "null"],
                "description": "Days read (at most 730): the completed days, and before them those of the "
                "closed months the provider reported at the first collection (docs/forecasting.md).",
            },
            "status": {
                "type": "string",
                "enum": list(STATUSES),
                "description": "forecast: depletion is set; beyond_horizon: not within two years; the others "
                "say why there is no forecast (reason has the details).",
            },
            "reason": _nullable_text("Why there is no depletion date (e.g. overdrawn since 2026-03-31); else null."),
            "balance": {
                **NULLABLE_AMOUNT,
                "description": "The closing balance of as_of plus the top-ups since (today's so far): the "
                "balance the forecast spends down.",
            },
            "currency": {"oneOf": [CURRENCY, {"type": "null"}]},
            "depletion": {"oneOf": [ref("DateBand"), {"type": "null"}], "description": "When it reaches zero."},
            "threshold": {
                "oneOf": [ref("ThresholdCrossing"), {"type": "null"}],
                "description": "Null when no threshold is set or there is no forecast.",
            },
            "month": ref("MonthProjection"),
        },
        "When the balance runs out and where this month's cost will end (SPEC §9).",
    ),
}

SCHEMAS: dict[str, dict] = {
    "Amount": {
        "type": "string",
        "pattern": AMOUNT_PATTERN,
        "description": "Decimal string: no exponent, 2 to 8 fractional digits (12.50, 0.0042, -3.10).",
        "examples": ["12.50", "0.0042", "-3.10"],
    },
    "Timestamp": TIMESTAMP,
    "Organization": _obj(
        {
            "id": {"type": "integer", "description": "Internal identifier for your organisation."},
            "name": _text("Human-readable display name."),
            "created_at": {**TIMESTAMP, "description": "UTC timestamp the organisation was created."},
            "updated_at": {**TIMESTAMP, "description": "UTC timestamp the organisation was last updated."},
        }
    ),
    "Balance": _obj(
        {
            "organization_id": ORG_ID,
            "amount": {**ref("Amount"), "description": "Current main-account balance in whole currency units."},
            "currency": CURRENCY,
            "collected_at": {
                **TIMESTAMP,
                "description": "When the snapshot was observed (append-only, skip-unchanged).",
            },
        }
    ),
    "LatestBalance": _obj(
        {
            "organization_id": ORG_ID,
            "amount": {**ref("Amount"), "description": "Current main-account balance in whole currency units."},
            "currency": CURRENCY,
            "collected_at": {
                **TIMESTAMP,
                "description": "When the snapshot was observed (append-only, skip-unchanged).",
            },
            "checked_at": {
                "oneOf": [TIMESTAMP, {"type": "null"}],
                "description": "When the balance was last checked successfully (unchanged balances are "
                "checked without a new snapshot); null until the first successful check.",
            },
            "stale": {
                "type": "boolean",
                "description": "True when no successful check happened for two collection intervals.",
            },
            "next_collection_at": {
                **TIMESTAMP,
                "description": "Start of the next scheduled collection slot after now.",
            },
        },
        "The newest balance snapshot, with freshness.",
    ),
    "BalancePage": _obj(
        {
            "items": {"type": "array", "items": ref("Balance"), "description": "Snapshots, newest first."},
            "next_cursor": _nullable_text("Pass as `cursor` for the next (older) page; null on the last page."),
        }
    ),
    "Fee": _obj({"code": _text("Fee code, e.g. usage."), "name": _text("Fee name."), "amount": ref("Amount")}),
    "UsageLine": _obj(
        {
            "service": _text("Service the usage belongs to."),
            "operator_id": _nullable_text("Operator the line is attributed to; null when unattributed."),
            "operator_name": _nullable_text("Operator's name; null when unattributed."),
            "quantity": {"type": "string", "pattern": QUANTITY_PATTERN, "description": "Decimal quantity."},
            "unit": _text("Unit of the quantity."),
            "amount": ref("Amount"),
        }
    ),
    "CostSnapshot": _obj(
        {
            "organization_id": ORG_ID,
            "year": {"type": "integer", "description": "Year the snapshot covers."},
            "month": {"type": "integer", "minimum": 1, "maximum": 12, "description": "Month (1-12)."},
            "collected_at": {**TIMESTAMP, "description": "When the snapshot was observed at the provider."},
            "currency": CURRENCY,
            "total": ref("Amount"),
            "fees": {"type": "array", "items": ref("Fee"), "description": "Org-wide fee totals."},
            "usage_lines": {"type": "array", "items": ref("UsageLine"), "description": "Per-service usage."},
        }
    ),
    "CostMonths": _obj(
        {
            "months": {
                "type": "array",
                "description": "Months with at least one cost snapshot, newest first.",
                "items": _obj(
                    {
                        "year": {"type": "integer"},
                        "month": {"type": "integer", "minimum": 1, "maximum": 12},
                        "status": {
                            "type": "string",
                            "enum": ["accruing", "closed"],
                            "description": "accruing: the current UTC month, figures still grow; "
                            "closed: the month has ended.",
                        },
                    }
                ),
            }
        }
    ),
    **FORECAST_SCHEMAS,
    "Token": _obj(
        {
            "access_token": _text("HS256 JWT; send as `Authorization: Bearer …`."),
            "token_type": {"type": "string", "const": "Bearer"},
            "expires_in": {"type": "integer", "minimum": 1, "description": "Lifetime in seconds."},
        }
    ),
    "TokenRequest": {
        "type": "object",
        "required": ["grant_type"],
        "properties": {
            "grant_type": {"type": "string", "const": "client_credentials"},
            "client_id": _text("The client id (or authenticate with HTTP Basic instead).", pattern=NO_NUL),
            "client_secret": _text("The client secret (or authenticate with HTTP Basic instead).", pattern=NO_NUL),
        },
    },
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "description": "RFC 9457 problem details. The token endpoint adds RFC 6749 `error`/`error_description`.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "parameter": {"type": "string", "description": "The query parameter that was refused (422)."},
            "error": {"type": "string", "description": "RFC 6749 error code (token endpoint)."},
            "error_description": {"type": "string"},
        },
    },
}
