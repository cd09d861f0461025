"""The collector lease: at most one in-process collector per database, whatever the number of processes.

PostgreSQL: a session-level advisory lock held on a connection of its own. SQLite: an exclusive
`flock` on a file beside the database (a SQLite database is only ever shared by processes of one
machine). Either is released by the server or the kernel when the holding process dies, so a
standby process takes over at its next tick; no row to expire, no clock to trust.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError

LOCK_NAMESPACE, LOCK_KEY = 13, 0  # pg_advisory_lock(13, 0); namespaces 1-4 are collection's (models/collection.py)


class Lease(Protocol):
    def acquire(self) -> bool:
        """Take the lease, or confirm it is still held; False while another process holds it."""

    def release(self) -> None: ...

    def held_here(self) -> bool:
        """Whether this process holds the lease (as of its last acquire; touches nothing)."""

    def held_anywhere(self) -> bool:
        """Whether some process (this one included) holds the lease now."""


class FileLease:
    def __init__(self, path: str) -> None:
        self.path, self.fd = path, None  # type: tuple[str, int | None]

    def _lock(self) -> int | None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def acquire(self) -> bool:
        if self.fd is None:
            self.fd = self._lock()
        return self.fd is not None

    def held_here(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def held_anywhere(self) -> bool:
        if self.fd is not None:
            return True
        probe = self._lock()  # a lock of its own: flock locks belong to the open file, so this sees the holder
        if probe is None:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        os.close(probe)
        return False


class PostgresLease:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.connection = engine, None  # type: tuple[Engine, Connection | None]

    def acquire(self) -> bool:
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT 1")).scalar()
                self.connection.commit()
                return True
            except DBAPIError:  # the connection (and with it the lock) is gone: try to take it anew
                self._drop()
        connection = self.engine.connect()
        taken = connection.execute(
            text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": LOCK_KEY}
        ).scalar()
        connection.commit()  # the lock is the session's, not the transaction's
        if taken:
            self.connection = connection
            return True
        connection.close()
        return False

    def _drop(self) -> None:
        if self.connection is not None:
            with suppress(DBAPIError):
                self.connection.invalidate()
                self.connection.close()
            self.connection = None

    def held_here(self) -> bool:
        return self.connection is not None

    def release(self) -> None:
        if self.connection is not None:
            with suppress(DBAPIError):
                self.connection.execute(
                    text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": LOCK_KEY}
                )
                self.connection.commit()
            self.connection.close()
            self.connection = None

    def held_anywhere(self) -> bool:
        return held_on_postgres(self.engine)


HELD_SQL = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND classid = :ns AND objid = :key AND objsubid = 2)"
)


def held_on_postgres(bind: Engine | Connection) -> bool:
    """Whether any session holds the collector's advisory lock in this database."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return bool(connection.execute(HELD_SQL, {"ns": LOCK_NAMESPACE, "key": LOCK_KEY}).scalar())
    return bool(bind.execute(HELD_SQL, {"ns": LOCK_NAMESPACE, "key": LOCK_KEY}).scalar())


def sqlite_lock_path(database_uri: str) -> str | None:
    """The lock file beside a SQLite database file; None for an in-memory database (no lease possible)."""
    database = make_url(database_uri).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}.collector-lock"


def lease_for(engine: Engine, database_uri: str) -> Lease | None:
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine)
    path = sqlite_lock_path(database_uri)
    return FileLease(path) if path else None
