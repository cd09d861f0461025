"""Freshness bookkeeping per (organisation, kind): last check, last error, failure streak."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.dialects import postgresql, sqlite

from webapp.extensions import db
from webapp.models import CollectionState
from webapp.models.collection import CollectionKind

_state = CollectionState.__table__


def _upsert(values: dict, on_conflict: dict) -> None:
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(_state).values(**values)
    statement = statement.on_conflict_do_update(index_elements=["organization_id", "kind"], set_=on_conflict)
    db.session.execute(statement)


def _later(column: ColumnElement[datetime], at: datetime) -> ColumnElement[datetime]:
    """The later of the stored time and `at`: replays and stragglers never move freshness backwards."""
    return case((column.is_(None), at), (column < at, at), else_=column)


def record_attempt(organization_id: int, kind: CollectionKind, at: datetime) -> None:
    _upsert(
        {"organization_id": organization_id, "kind": kind, "last_attempt_at": at, "consecutive_failures": 0},
        {"last_attempt_at": _later(_state.c.last_attempt_at, at)},
    )


def record_success(organization_id: int, kind: CollectionKind, at: datetime) -> None:
    _upsert(
        {
            "organization_id": organization_id,
            "kind": kind,
            "last_attempt_at": at,
            "last_success_at": at,
            "consecutive_failures": 0,
        },
        {"last_success_at": _later(_state.c.last_success_at, at), "consecutive_failures": 0},
    )


def record_failure(organization_id: int, kind: CollectionKind, at: datetime, reason: str) -> None:
    _upsert(
        {
            "organization_id": organization_id,
            "kind": kind,
            "last_attempt_at": at,
            "last_error": reason,
            "last_error_at": at,
            "consecutive_failures": 1,
        },
        {
            "last_attempt_at": _later(_state.c.last_attempt_at, at),
            "last_error": reason,
            "last_error_at": at,
            "consecutive_failures": func.coalesce(_state.c.consecutive_failures, 0) + 1,
        },
    )
