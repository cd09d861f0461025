"""Worker start-up: `python -m jobs.worker [--burst]` runs RQ workers whose jobs get an app context."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from flask import Flask
from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from webapp import ConfigError, create_app
from webapp.collection.queue import QUEUE_NAME, collection_queue, connect
from webapp.extensions import db
from webapp.notifications.queue import notifications_queue
from webapp.providers import ProviderError, get_provider


class AppContextMixin:
    """Runs every job inside the Flask app's context, on database connections of its own process."""

    app: Flask
    app_pid: int

    def perform_job(self, job, queue) -> bool:
        with self.app.app_context():
            if os.getpid() != self.app_pid:
                db.engine.dispose(close=False)  # a forked horse must not reuse its parent's pooled connections
            try:
                return super().perform_job(job, queue)  # type: ignore[misc]
            finally:
                db.session.remove()


class AppWorker(AppContextMixin, Worker):
    """Forks a work horse per job (production)."""


class AppSimpleWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in its own process, reusing its database connections (the default)."""


def build_worker(app: Flask, worker_class: type = AppWorker, connection=None):
    connection = connection or connect(app.config["REDIS_URL"])
    # Notifications first: a webhook attempt (≤ 15 s) never waits behind a whole collection cycle.
    queues = [notifications_queue(connection), collection_queue(connection)]
    worker = worker_class(queues, connection=connection, serializer=JSONSerializer)
    worker.app, worker.app_pid = app, os.getpid()
    return worker


def startup_app() -> Flask:
    """The app, or a one-line reason to stop: bad config, no Redis, an unusable provider."""
    try:
        app = create_app()
    except ConfigError as error:
        sys.exit(f"Configuration error: {error}")
    if not app.config["REDIS_URL"]:
        sys.exit("Configuration error: REDIS_URL is required to run a worker or the scheduler")
    if not logging.getLogger().handlers:  # the app configures logging outside testing; jobs always log
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with app.app_context():
        try:
            get_provider()
        except ProviderError as error:
            sys.exit(f"Configuration error: {error}")
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=f"Run an RQ worker for the 'notifications' and {QUEUE_NAME!r} queues.")
    parser.add_argument("--burst", action="store_true", help="Exit once the queue is empty.")
    parser.add_argument("--fork", action="store_true", help="Fork a work horse per job (RQ's default Worker).")
    args = parser.parse_args(argv)
    app = startup_app()
    # Jobs run in the worker process by default: a fork per job cost more than the job itself (docs/performance.md)
    # and threw away pooled connections and compiled statements; timeouts still apply (SIGALRM).
    worker_class = AppWorker if args.fork else AppSimpleWorker
    build_worker(app, worker_class).work(burst=args.burst, with_scheduler=True, logging_level="INFO")


if __name__ == "__main__":
    main()
