"""What every `flask` command shares: one-line database errors, --json output, --month parsing."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec, TypeVar

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from webapp.domain.months import YEARS, parse_month
from webapp.extensions import db
from webapp.services.errors import ValidationError

P = ParamSpec("P")
R = TypeVar("R")


def database_errors_as_messages(command: Callable[P, R]) -> Callable[P, R]:
    """One clear line instead of a traceback when the database is unreachable or not migrated."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (OperationalError, ProgrammingError) as error:
            db.session.rollback()
            reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise click.ClickException(
                f"database error: {reason} (check DATABASE_URL and run `flask db upgrade`)"
            ) from None

    return wrapper


def emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(data, default=str) if as_json else text)


def fail_on_validation(error: ValidationError) -> NoReturn:
    db.session.rollback()
    raise click.ClickException(error.message)


def month_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    parsed = parse_month(value)
    if parsed is None:
        first, last = YEARS
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM (month 01–12, year {first}–{last}).")
    return parsed
