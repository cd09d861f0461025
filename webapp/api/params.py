"""Query-parameter parsing for the API: strict, and a 422 naming the parameter on junk."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import request

from webapp.api.problems import invalid_parameter

YEAR_RANGE = (1970, 9999)
LIMIT_RANGE = (1, 1000)
DEFAULT_LIMIT = 100
MAX_PARAMETER_LENGTH = 512
_DIGITS = re.compile(r"[0-9]{1,6}")
# RFC 3339 date-time: a full date, a time and an explicit offset ("Z" or ±hh:mm).
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def only(*allowed: str) -> None:
    """Refuse parameters the endpoint does not take, so a typo (`form=` for `from=`) is not silently ignored."""
    for name in request.args:
        if name not in allowed:
            raise invalid_parameter(name[:40], "is not a parameter of this endpoint.")


def single(name: str, *, required: bool = False) -> str | None:
    """The one value of a query parameter; repeated, over-long or NUL-bearing values are refused."""
    values = request.args.getlist(name)
    if not values:
        if required:
            raise invalid_parameter(name, "is required.")
        return None
    if len(values) > 1:
        raise invalid_parameter(name, "must be given once, not repeated.")
    value = values[0]
    if "\x00" in value or len(value) > MAX_PARAMETER_LENGTH:
        raise invalid_parameter(name, "contains a NUL byte or is too long.")
    return value


def integer(name: str, low: int, high: int, *, default: int | None = None, required: bool = False) -> int | None:
    raw = single(name, required=required)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise invalid_parameter(name, f"must be a whole number from {low} to {high}, got {raw[:40]!r}.")
    return int(raw)


def required_integer(name: str, low: int, high: int) -> int:
    value = integer(name, low, high, required=True)
    if value is None:  # single() has already refused a missing value; this keeps the type exact
        raise invalid_parameter(name, "is required.")
    return value


def year_month() -> tuple[int, int]:
    only("year", "month")
    return required_integer("year", *YEAR_RANGE), required_integer("month", 1, 12)


def limit() -> int:
    value = integer("limit", *LIMIT_RANGE, default=DEFAULT_LIMIT)
    return DEFAULT_LIMIT if value is None else value


def _timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return moment.astimezone(UTC)


def timestamp(name: str) -> datetime | None:
    raw = single(name)
    if raw is None:
        return None
    if _DATE_TIME.fullmatch(raw):
        try:
            return _timestamp(raw)
        except (ValueError, OverflowError):
            pass
    raise invalid_parameter(
        name, f"must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T00:00:00Z, got {raw[:40]!r}."
    )
