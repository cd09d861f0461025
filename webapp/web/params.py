"""Parsing query parameters: junk is a 400 with a plain message, never a crash."""

from __future__ import annotations

import re

from flask import abort, request

from webapp.domain.months import Month

DIGITS = re.compile(r"[0-9]{1,9}")
MAX_SEARCH = 100


def choice(name: str, choices: tuple[str, ...] | list[str], default: str) -> str:
    value = request.args.get(name, default) or default
    if value not in choices:
        abort(400, description=f"“{name}” must be one of: {', '.join(choices)}.")
    return value


def direction(name: str = "dir") -> bool:
    """True for descending."""
    return choice(name, ("asc", "desc"), "asc") == "desc"


def positive_int(name: str, default: int) -> int:
    raw = request.args.get(name, "") or str(default)
    if not DIGITS.fullmatch(raw) or int(raw) < 1:
        abort(400, description=f"“{name}” must be a whole number of at least 1.")
    return int(raw)


def search_text(name: str = "q") -> str:
    return (request.args.get(name) or "").replace("\x00", "").strip()[:MAX_SEARCH]


def month(name: str = "month") -> Month | None:
    """YYYY-MM, or None when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    parsed = Month.parse(raw)
    if parsed is None:
        abort(400, description="The month must be written as YYYY-MM, for example 2026-03.")
    return parsed


def optional_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not DIGITS.fullmatch(raw):
        abort(400, description=f"“{name}” must be a whole number.")
    return int(raw)
