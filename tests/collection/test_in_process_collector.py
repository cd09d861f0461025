"""Issue 13 §6: without Redis the web process collects on the schedule (the RQ scheduler's slots and rules),
exactly one collector per database however many processes serve it, none under tests unless asked."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.factories import make_org
from tests.notifications.helpers import delivery_of, endpoint_for, make_due
from tests.notifications.receivers import Receiver, Reply
from tests.processes import Process, stack_environ, wait_for
from webapp.collection.in_process import EXTENSION, BackgroundCollector
from webapp.collection.lease import FileLease, PostgresLease
from webapp.collection.queue import slot_start
from webapp.collection.state import due_since
from webapp.config import PROJECT_ROOT
from webapp.database import configure_engine, sqlite_writer
from webapp.extensions import db
from webapp.models import CollectionRun
from webapp.models.types import utcnow
from webapp.notifications import enqueue_event


@pytest.fixture
def leases(database_app, tmp_path):
    """Two leases on one database, as two processes would hold them."""
    if database_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pair = [FileLease(str(tmp_path / "db.collector-lock")) for _ in range(2)]
        yield pair
    else:
        engines = [create_engine(database_app.config["SQLALCHEMY_DATABASE_URI"]) for _ in range(2)]
        pair = [PostgresLease(engine) for engine in engines]
        yield pair
        for lease in pair:
            lease.release()
        for engine in engines:
            engine.dispose()


def test_one_lease_per_database_and_a_standby_takes_over_when_it_is_released(leases):
    first, second = leases
    assert not first.held_anywhere()
    assert first.acquire() and first.acquire()  # renewing is idempotent
    assert not second.acquire() and second.held_anywhere() and not second.held_here()
    first.release()
    assert second.acquire() and first.held_anywhere() and not first.acquire()


def test_a_tick_collects_what_the_slot_still_needs_once_and_the_standby_does_nothing(app, leases):
    fresh, inactive = make_org(name="Due Org"), make_org(name="Asleep", active=False)
    db.session.commit()
    leader, standby = BackgroundCollector(app, leases[0]), BackgroundCollector(app, leases[1])
    now = utcnow()
    assert fresh.id in due_since("balances", slot_start(now, leader.interval))
    run_ids = leader.tick(now)
    assert len(run_ids) == 2  # balances and costs
    runs = [db.session.get(CollectionRun, run_id) for run_id in run_ids]
    assert {run.kind for run in runs} == {"balances", "costs"} and {run.trigger for run in runs} == {"schedule"}
    assert fresh.id not in due_since("balances", slot_start(now, leader.interval))
    assert inactive.id not in due_since("balances", slot_start(now, leader.interval))
    assert leader.tick(now) == []  # the slot is done
    assert standby.tick(now) == []  # not the leaseholder
    later = now + timedelta(seconds=leader.interval)
    assert len(leader.tick(later)) == 2  # the next slot collects again


def test_no_collector_under_tests_unless_asked(app, client):
    client.get("/healthz")
    assert app.config["BACKGROUND_COLLECTOR"] is False and EXTENSION not in app.extensions


def _web(name: str, tmp_path, database: str, port: int) -> Process:
    environ = stack_environ(
        f"sqlite:///{database}", "", "", "", tmp_path, PROVIDER="demo", BACKGROUND_COLLECTOR="on",
        COLLECT_INTERVAL_SECONDS="2", FLASK_APP="wsgi",
    )  # fmt: skip
    for unset in ("PROVIDER_URL", "PROVIDER_TOKEN", "REDIS_URL"):
        environ.pop(unset)
    return Process.python(name, ["flask", "run", "--host", "127.0.0.1", "--port", str(port)], environ, tmp_path)


def _answering(port: int, process: Process) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        assert process.popen.poll() is None, process.output()
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scheduled_runs(database) -> list[tuple[str, datetime]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT kind, started_at FROM collection_runs WHERE trigger = 'schedule' ORDER BY id")
        return [(kind, datetime.fromisoformat(started)) for kind, started in rows]


def _at_most_one_run_per_slot(runs: list[tuple[str, datetime]], interval: float) -> None:
    """Two collectors would make about two balance runs per slot; one makes one (a run may start late)."""
    starts = [started for kind, started in runs if kind == "balances"]
    slots = (starts[-1] - starts[0]).total_seconds() / interval + 1
    assert len(starts) <= slots + 1, runs


def test_two_web_processes_on_one_database_collect_once_per_slot_and_the_standby_takes_over(tmp_path):
    database = tmp_path / "two.db"
    setup = stack_environ(f"sqlite:///{database}", "", "", "", tmp_path, PROVIDER="demo", FLASK_APP="wsgi")
    for unset in ("PROVIDER_URL", "PROVIDER_TOKEN", "REDIS_URL"):
        setup.pop(unset)
    for command in (["db", "upgrade"], ["orgs", "create", "--name", "Kept Fresh", "--provider-ref", "demo-00001"]):
        done = subprocess.run(
            [sys.executable, "-m", "flask", *command], env=setup, cwd=PROJECT_ROOT, capture_output=True
        )
        assert done.returncode == 0, done.stderr
    ports = [_free_port(), _free_port()]
    first = _web("web1", tmp_path, str(database), ports[0])
    second = None
    try:
        wait_for(lambda: _answering(ports[0], first), timeout=30, what="the first web process")
        second = _web("web2", tmp_path, str(database), ports[1])
        wait_for(lambda: _answering(ports[1], second), timeout=30, what="the second web process")
        wait_for(lambda: len(_scheduled_runs(database)) >= 8, timeout=30, what="four slots of scheduled runs")
        runs = _scheduled_runs(database)
        assert {kind for kind, _ in runs} == {"balances", "costs"}
        _at_most_one_run_per_slot(runs, 2.0)
        first.kill_hard()
        seen = len(_scheduled_runs(database))
        wait_for(lambda: len(_scheduled_runs(database)) >= seen + 4, timeout=30, what="the standby to take over")
    finally:
        first.stop()
        if second is not None:
            second.stop()
    _at_most_one_run_per_slot(_scheduled_runs(database), 2.0)


def test_on_sqlite_a_form_post_waits_for_the_collectors_commit_instead_of_failing(tmp_path):
    """Deferred, a request that read before the collector committed could not write after it ("database is
    locked", no wait); a POST begins IMMEDIATE and waits its turn, as the collector does."""
    engine = create_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    configure_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    flask_app = Flask(__name__)

    def collector_commits() -> None:
        with sqlite_writer(), engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (0)")

    def request_reads_then_writes(method: str) -> None:
        with flask_app.test_request_context(method=method), engine.connect() as connection, connection.begin():
            connection.exec_driver_sql("SELECT count(*) FROM t").scalar()
            collector = threading.Thread(target=collector_commits)
            collector.start()
            collector.join(timeout=0.5)  # deferred: it commits now; immediate: it waits for us
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        collector.join(timeout=30)

    with pytest.raises(OperationalError, match="database is locked"):
        request_reads_then_writes("GET")
    request_reads_then_writes("POST")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 3  # 2 collector rows, 1 post
    engine.dispose()


def test_without_redis_the_collector_retries_the_webhooks_that_are_due(notify_app, leases):
    """The embedded default has no RQ sweep: the background collector attempts due retries once a minute."""
    with Receiver(Reply(status=500), Reply()) as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        event = enqueue_event(db.session(), endpoint.organization_id, "balance.low.triggered", {"amount": "1.00"})
        event_id = event.id
        db.session.commit()  # the first attempt, inline: a 500
        assert delivery_of(event_id).status == "pending"
        make_due(delivery_of(event_id).id)
        BackgroundCollector(notify_app, leases[0]).tick()
        mine = [request for request in receiver.requests if request.headers["webhook-id"] == event_id]
        assert delivery_of(event_id).status == "delivered" and len(mine) == 2  # the 500, then the retry
