"""The in-process collector: without Redis, the web process itself collects on the schedule.

The same schedule and rules as the RQ scheduler (docs/collector.md): slots of COLLECT_INTERVAL_SECONDS
aligned to the epoch; in each slot, both kinds for the active organisations the database says are not
yet collected in that slot, through `run_collection` (one transaction per organisation). A thread
per process, but only the holder of the collector lease (collection/lease.py) collects; the others
wait as standbys. On when BACKGROUND_COLLECTOR says so (config: default without Redis, never under
tests unless asked); started by the first request, so `flask` commands never start one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from webapp.alerts.scheduled import ALERTS_INTERVAL_SECONDS, scheduled_run
from webapp.collection.lease import FileLease, Lease, held_on_postgres, lease_for, sqlite_lock_path
from webapp.collection.queue import next_run_due, slot_start
from webapp.collection.rules import run_collection
from webapp.collection.state import due_since
from webapp.database import sqlite_writer
from webapp.extensions import db
from webapp.models.collection import KINDS
from webapp.models.types import utcnow
from webapp.notifications.dispatch import deliver_due
from webapp.providers import get_provider
from webapp.read_model.change_base import REBASE_INTERVAL_SECONDS, rebase

EXTENSION = "accountdesk.background_collector"
RETRY_INTERVAL_SECONDS = 60.0  # as the RQ scheduler's notification sweep
log = logging.getLogger("webapp.collection.in_process")


class BackgroundCollector:
    def __init__(self, app: Flask, lease: Lease) -> None:
        self.app, self.lease = app, lease
        self.interval = float(app.config["COLLECT_INTERVAL_SECONDS"])
        self.done: set[tuple[str, datetime]] = set()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def tick(self, now: datetime | None = None) -> list[int]:
        """Collect what is due in the current slot, if this process holds the lease; the run ids."""
        if not self.lease.acquire():
            self.done.clear()  # a standby: when it takes over, the database says what is still due
            return []
        start, runs = slot_start(now or utcnow(), self.interval), []
        for kind in KINDS:
            if (kind, start) in self.done:
                continue
            ids = due_since(kind, start)
            db.session.commit()
            if ids:
                runs.append(run_collection(kind, get_provider(), organization_ids=ids, trigger="schedule").id)
            self.done.add((kind, start))
        retry_slot = slot_start(now or utcnow(), RETRY_INTERVAL_SECONDS)
        if ("retries", retry_slot) not in self.done:  # webhook and mail retries that are due (no Redis)
            deliver_due()
            self.done.add(("retries", retry_slot))
        alerts_slot = slot_start(now or utcnow(), ALERTS_INTERVAL_SECONDS)
        if ("alerts", alerts_slot) not in self.done:  # stale data and due digests, every 15 minutes
            scheduled_run(now or utcnow())
            self.done.add(("alerts", alerts_slot))
        day = slot_start(now or utcnow(), REBASE_INTERVAL_SECONDS)
        if ("change_base", day) not in self.done:  # the 7-day change's bases moved to the new day, after 00:00 UTC
            rebase(now or utcnow())
            self.done.add(("change_base", day))
        return runs

    def pause(self) -> float:
        return max(0.5, min(30.0, self.interval / 10))

    def _loop(self) -> None:
        while not self.stopping.is_set():
            with self.app.app_context(), sqlite_writer():
                try:
                    self.tick()
                except Exception:  # a provider or database hiccup must not end collection for good
                    log.exception("background collection tick failed; trying again at the next tick")
                    db.session.rollback()
                finally:
                    db.session.remove()
            self.stopping.wait(self.pause())

    def start(self) -> None:
        with self.app.app_context():
            self.lease.acquire()  # at once, so the page that started it already tells the truth
        self.thread = threading.Thread(target=self._loop, name="background-collector", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=60)
        self.lease.release()


def init_background_collection(app: Flask) -> None:
    """Start the collector with the first request this process serves (never in `flask` commands)."""
    if not app.config["BACKGROUND_COLLECTOR"]:
        return
    starting = threading.Lock()

    @app.before_request
    def start_background_collector() -> None:
        if EXTENSION in app.extensions:
            return
        with starting:
            if EXTENSION not in app.extensions:
                lease = lease_for(db.engine, app.config["SQLALCHEMY_DATABASE_URI"])
                if lease is None:
                    log.warning("no background collector: an in-memory database cannot be shared")
                    app.extensions[EXTENSION] = None
                    return
                collector = BackgroundCollector(app, lease)
                collector.start()
                app.extensions[EXTENSION] = collector


@dataclass(frozen=True, slots=True)
class CollectorStatus:
    """What the collector page says: who collects on the schedule and when the next run is due."""

    mode: str  # "queue" (RQ scheduler), "in_process" (a web process holds the lease) or "none"
    next_due: datetime | None
    here: bool = False  # this process is the one collecting


def collector_status(now: datetime) -> CollectorStatus:
    config = current_app.config
    next_due = next_run_due(now, config["COLLECT_INTERVAL_SECONDS"])
    if config["REDIS_URL"]:
        return CollectorStatus("queue", next_due)
    collector = current_app.extensions.get(EXTENSION)
    if collector is not None and collector.lease.held_here():
        return CollectorStatus("in_process", next_due, here=True)
    if _held_elsewhere():
        return CollectorStatus("in_process", next_due)
    return CollectorStatus("none", None)


def _held_elsewhere() -> bool:
    if db.session.get_bind().dialect.name == "postgresql":
        return held_on_postgres(db.session.connection())
    path = sqlite_lock_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return path is not None and FileLease(path).held_anywhere()
