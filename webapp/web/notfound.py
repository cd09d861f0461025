"""One "not found" for every blueprint: a 404 whose message says what was not found."""

from __future__ import annotations

from typing import NoReturn, TypeVar

from flask import abort

T = TypeVar("T")
NOTHING_HERE = "There is nothing at this address."


def not_found(description: str = NOTHING_HERE) -> NoReturn:
    """Stop the request with a 404 (HTML page, JSON or problem+json by the error handlers)."""
    abort(404, description=description)


def found_or_404(value: T | None, description: str = NOTHING_HERE) -> T:
    """The value, or a 404 when there is none."""
    if value is None:
        not_found(description)
    return value
