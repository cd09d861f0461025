"""Small helpers for driving the app through its public interface."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from tests.factories import PASSWORD
from webapp.extensions import db

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client, email: str, password: str = PASSWORD, next_path: str | None = None):
    token = csrf_token(client)
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs (savepoint bookkeeping left out)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def queued_by_two_schedulers(app, redis_url: str, prefix: str) -> list[str]:
    """Two schedulers on one Redis tick, the leader dies and the standby ticks: the notification jobs queued whose
    id starts with `prefix`; then a worker runs everything queued (burst)."""
    from redis import Redis

    from jobs.scheduler import Scheduler
    from jobs.worker import AppSimpleWorker, build_worker
    from webapp.notifications.queue import notifications_queue

    connection = Redis.from_url(redis_url)
    app.config["REDIS_URL"] = redis_url
    try:
        first, second = Scheduler(app, connection), Scheduler(app, connection)
        first.tick()
        second.tick()
        connection.delete("accountdesk:scheduler:leader")  # the leader died: the standby takes over
        second.tick()
        queued = [job for job in notifications_queue(connection).job_ids if job.startswith(prefix)]
        build_worker(app, AppSimpleWorker, connection).work(burst=True, with_scheduler=False)
    finally:
        app.config["REDIS_URL"] = None
        connection.close()
    return queued
