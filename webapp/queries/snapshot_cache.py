"""Answers computed in one PostgreSQL snapshot, reused while nothing they read has changed since.

An answer is kept with the snapshot its statement ran in. A later request reuses it only if no
transaction that this snapshot could not see has since written a `portfolio_changes` row (the triggers
of migration 0012 write one per organisation whose row, summary, assignments or alert states change;
0 for a TRUNCATE), and only within the time the caller says it stays true (time rules such as "stale" flip
on their own). One index probe decides it. An answer computed by a transaction that has itself written
is never kept: its snapshot counts its own uncommitted writes as visible, so later writes in that same
transaction could not be told apart.

Per process (each web worker keeps its own), bounded (least recently used first out), thread-safe.
SQLite has no snapshots to compare: callers compute every time there (see `supported`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, ColumnElement, Text, func, text
from sqlalchemy.orm import Session, scoped_session

from webapp.models import User

T = TypeVar("T")
AnySession = Session | scoped_session[Any]
SIZE = 256

CHANGED_SINCE = text(
    "SELECT EXISTS (SELECT 1 FROM portfolio_changes WHERE txid >= :xmin"
    " AND NOT pg_visible_in_snapshot(txid::text::xid8, CAST(:snapshot AS pg_snapshot)))"
)


@dataclass(frozen=True, slots=True)
class Marks:
    """What the computing statement said about its own snapshot (its extra columns: `mark_columns`)."""

    snapshot: str
    xmin: int
    read_only: bool  # the computing transaction had written nothing

    @classmethod
    def of(cls, row: Any) -> Marks:
        values = row._mapping
        return cls(values["snapshot_mark"], int(values["xmin_mark"]), bool(values["read_only_mark"]))


@dataclass(frozen=True, slots=True)
class Kept(Generic[T]):
    value: T
    marks: Marks
    computed_at: datetime
    valid_until: datetime


def supported(session: AnySession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def database_and_scope(session: AnySession, user: User) -> tuple[str, str, int | None]:
    """The first part of a key: which database, and whose organisations the user sees (every one for
    admins, their assigned ones otherwise: assignments are watched, so a change shows at once)."""
    database = str(session.get_bind().engine.url)
    return (database, "everyone", None) if user.is_admin else (database, "assigned", user.id)


def mark_columns() -> list[ColumnElement[Any]]:
    """Columns to add to the computing statement, so that the marks come from the very snapshot it read."""
    snapshot = func.pg_current_snapshot()
    return [
        snapshot.cast(Text).label("snapshot_mark"),
        func.pg_snapshot_xmin(snapshot).cast(Text).cast(BigInteger).label("xmin_mark"),
        func.pg_current_xact_id_if_assigned().is_(None).label("read_only_mark"),
    ]


def changed_since(session: AnySession, marks: Marks) -> bool:
    """Has a transaction that `marks`' snapshot could not see written a watched row since? (One probe.)"""
    return bool(session.execute(CHANGED_SINCE, {"xmin": marks.xmin, "snapshot": marks.snapshot}).scalar())


class SnapshotCache(Generic[T]):
    """Kept answers by key; `get` gives one back only while it is still the answer."""

    def __init__(self, size: int = SIZE) -> None:
        self._kept: OrderedDict[Hashable, Kept[T]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, session: AnySession, key: Hashable, now: datetime) -> T | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is None or not kept.computed_at <= now < kept.valid_until or changed_since(session, kept.marks):
            return None
        return kept.value

    def put(self, key: Hashable, value: T, marks: Marks, now: datetime, valid_until: datetime) -> None:
        """Keep `value`, computed at `now` by the statement that gave `marks`, until `valid_until` at most."""
        if not marks.read_only:
            return
        with self._lock:
            self._kept[key] = Kept(value, marks, now, valid_until)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
