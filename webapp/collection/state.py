"""Freshness bookkeeping per (organisation, kind): last check, last error, failure streak."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from webapp.extensions import db
from webapp.models import CollectionState, Organization
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


def record_check(organization_id: int, kind: CollectionKind, at: datetime) -> None:
    """An attempt and its success at once (the write path records both in the one transaction)."""
    _upsert(
        {
            "organization_id": organization_id,
            "kind": kind,
            "last_attempt_at": at,
            "last_success_at": at,
            "consecutive_failures": 0,
        },
        {
            "last_attempt_at": _later(_state.c.last_attempt_at, at),
            "last_success_at": _later(_state.c.last_success_at, at),
            "consecutive_failures": 0,
        },
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


def due_since(kind: str, start: datetime) -> list[int]:
    """Active organisations not yet collected successfully since `start` (a slot's start). Every operand
    is NULL-safe: under NOT, a NULL (a state that never succeeded) would read as "done"."""
    state = CollectionState
    done_in_slot = and_(
        state.last_success_at.is_not(None),
        state.last_success_at >= start,
        or_(state.last_error_at.is_(None), state.last_error_at < state.last_success_at),
    )
    statement = (
        select(Organization.id)
        .outerjoin(state, and_(state.organization_id == Organization.id, state.kind == kind))
        .where(Organization.active, or_(state.organization_id.is_(None), ~done_in_slot))
        .order_by(Organization.id)
    )
    return list(db.session.scalars(statement))


def never_succeeded(kind: str, organization_ids: list[int]) -> set[int]:
    """Those of `organization_ids` with no successful check of `kind` yet (their first collection is due)."""
    done = select(CollectionState.organization_id).where(
        CollectionState.kind == kind,
        CollectionState.organization_id.in_(organization_ids),
        CollectionState.last_success_at.is_not(None),
    )
    return set(organization_ids) - set(db.session.scalars(done))
