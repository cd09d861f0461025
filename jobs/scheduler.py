"""The scheduler: `python -m jobs.scheduler` enqueues one dispatch per kind per slot.

Why not `rq cron`: it is beta, two cron processes enqueue everything twice, and
an interval job fires at every restart. This loop is small, holds a Redis lock
so exactly one scheduler is active (a second one waits as a hot standby), and
its work is idempotent anyway: the dispatch job id is (kind, slot) with
unique=True, and per-organisation job ids are (kind, org, slot[, month]).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import time
from collections.abc import Callable

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from jobs.alerts import JOB as ALERTS_JOB
from jobs.alerts import JOB_TIMEOUT as ALERTS_TIMEOUT
from jobs.schedule import SCHEDULE, SWEEP_INTERVAL_SECONDS, current_slot
from jobs.summaries import JOB as REBASE_JOB
from jobs.summaries import JOB_TIMEOUT as REBASE_TIMEOUT
from jobs.worker import startup_app
from webapp.alerts.scheduled import ALERTS_INTERVAL_SECONDS
from webapp.collection.queue import collection_queue, connect, enqueue_dispatch, enqueue_unique
from webapp.models.types import utcnow
from webapp.notifications.queue import enqueue_sweep, notifications_queue
from webapp.read_model.change_base import REBASE_INTERVAL_SECONDS

LOCK_KEY = "accountdesk:scheduler:leader"
log = logging.getLogger("jobs.scheduler")


class Scheduler:
    def __init__(self, app: Flask, connection: Redis, *, lock_ttl: int = 30) -> None:
        self.config = app.config
        self.connection, self.lock_ttl = connection, lock_ttl
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.dispatched: set[tuple[str, str]] = set()

    def is_leader(self) -> bool:
        """Take or renew the leader lock; a crashed leader's lock expires after lock_ttl seconds."""
        if self.connection.set(LOCK_KEY, self.identity, nx=True, ex=self.lock_ttl):
            return True
        if self.connection.get(LOCK_KEY) == self.identity.encode():
            self.connection.expire(LOCK_KEY, self.lock_ttl)
            return True
        return False

    def tick(self) -> list[str]:
        """Enqueue the dispatch of every scheduled kind for the current slot (once per slot)."""
        if not self.is_leader():
            return []
        queue, sent = collection_queue(self.connection), []
        for entry in SCHEDULE:
            slot = current_slot(utcnow(), float(self.config[entry.interval_setting]))
            if (entry.kind, slot) in self.dispatched:
                continue
            if enqueue_dispatch(queue, entry.kind, slot):
                sent.append(f"{entry.kind}:{slot}")
                log.info("dispatch enqueued kind=%s slot=%s", entry.kind, slot)
            self.dispatched.add((entry.kind, slot))
        sweep_slot = current_slot(utcnow(), SWEEP_INTERVAL_SECONDS)
        if ("sweep", sweep_slot) not in self.dispatched:
            enqueue_sweep(notifications_queue(self.connection), sweep_slot)  # every minute: no log line
            self.dispatched.add(("sweep", sweep_slot))
        self._periodic("alerts", ALERTS_INTERVAL_SECONDS, ALERTS_JOB, ALERTS_TIMEOUT)  # stale data, due digests
        self._periodic("change_base", REBASE_INTERVAL_SECONDS, REBASE_JOB, REBASE_TIMEOUT)  # after 00:00 UTC
        return sent

    def _periodic(self, name: str, interval_seconds: float, job: str, timeout: int) -> None:
        """`job` once per slot of `interval_seconds` on the notifications queue; its job id is the slot, so two
        schedulers queue it once."""
        slot = current_slot(utcnow(), interval_seconds)
        if (name, slot) in self.dispatched:
            return
        if enqueue_unique(notifications_queue(self.connection), job, f"{name}_{slot}", timeout=timeout):
            log.info("%s run enqueued slot=%s", name, slot)
        self.dispatched.add((name, slot))

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        shortest = min(float(self.config[entry.interval_setting]) for entry in SCHEDULE)
        pause = max(0.5, min(30.0, shortest / 10))
        while not should_stop():
            try:
                self.tick()
            except RedisError as error:  # Redis away: say so, keep trying
                log.warning("scheduler tick failed: %s", error)
            time.sleep(pause)


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description="Enqueue scheduled collection (run exactly one).").parse_args(argv)
    app = startup_app()
    Scheduler(app, connect(app.config["REDIS_URL"])).run()


if __name__ == "__main__":
    main()
