"""Engine set-up and the ORM-level append-only guard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import cast

from flask import Flask, has_request_context, request
from sqlalchemy import Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.extensions import db
from webapp.models import AlertEvent, AuditEvent, BalanceSnapshot, CostSnapshot, WebhookAttempt, WebhookEvent

APPEND_ONLY = (AlertEvent, AuditEvent, BalanceSnapshot, CostSnapshot, WebhookEvent, WebhookAttempt)
APPEND_ONLY_TABLES: set[Table] = {cast(Table, model.__table__) for model in APPEND_ONLY}


class AppendOnlyViolation(RuntimeError):
    pass


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, issue BEGIN so transactions and SAVEPOINTs behave.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_writer: ContextVar[bool] = ContextVar("sqlite_writer", default=False)


@contextmanager
def sqlite_writer() -> Iterator[None]:
    """Mark the transactions begun inside as writers (the in-process collector)."""
    token = _writer.set(True)
    try:
        yield
    finally:
        _writer.reset(token)


def _sqlite_begin(connection) -> None:
    # A deferred transaction that reads, then writes after another connection committed, fails at once
    # ("database is locked": SQLite cannot upgrade a stale snapshot and does not wait for it). Writers
    # (form posts, the background collector) take the write lock up front instead, and so wait their turn.
    writer = _writer.get() or (has_request_context() and request.method not in SAFE_METHODS)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)


def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"{type(obj).__name__} rows are append-only")


def _refuse_bulk(state: ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and table in APPEND_ONLY_TABLES:
        raise AppendOnlyViolation(f"{table.name} rows are append-only")


def init_database(app: Flask) -> None:
    with app.app_context():
        configure_engine(db.engine)
    if not event.contains(Session, "before_flush", _refuse_changes):
        event.listen(Session, "before_flush", _refuse_changes)
        event.listen(Session, "do_orm_execute", _refuse_bulk)
