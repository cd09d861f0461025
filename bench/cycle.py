"""Benchmark: one balance cycle for N organisations against the fake provider, with W worker processes.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python -m bench.cycle --orgs 1000 --workers 1 2 4
    ... -m bench.cycle --orgs 1000 10000 --workers 4     # and the per-organisation cost's growth

Creates (and drops) a scratch database on that server, FLUSHDBs only the given Redis
database, and prints one line per run: cycle time and its ratio to the ideal
(organisations × latency ÷ workers). Not a test: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from flask_migrate import upgrade
from redis import Redis
from rq import Worker
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from jobs.collect import dispatch
from webapp import create_app
from webapp.collection.queue import slot_key
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.models import CollectionRun, Organization
from webapp.models.types import utcnow
from webapp.providers.fake_server import FakeProvider, Faults, running

TOKEN = secrets.token_urlsafe(16)


def scratch_database(server_url: str) -> tuple[str, Callable[[], None]]:
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"accountdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def _finished_runs(app, since) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(CollectionRun.started_at >= since, CollectionRun.failed == 0)
        )
        db.session.rollback()
    return count


def one_cycle(app, environ: dict, orgs: int, workers: int, redis: Redis, fork: bool = False) -> float:
    """Workers are started and registered first: the time is the cycle's, not Python's start-up."""
    redis.flushdb()
    command = [sys.executable, "-m", "jobs.worker", *(["--fork"] if fork else [])]
    processes = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 120
        while Worker.count(connection=redis) < workers and time.monotonic() < deadline:
            time.sleep(0.05)
        cycle_start, started = utcnow(), time.monotonic()
        with app.app_context():
            # a slot starting after every earlier collection, so every organisation is due again
            dispatch("balances", slot_key(utcnow().replace(microsecond=0) + timedelta(seconds=1)))
        while _finished_runs(app, cycle_start) < orgs:
            if time.monotonic() - started > 3600:
                raise RuntimeError("cycle did not finish within an hour")
            time.sleep(0.05)
        return time.monotonic() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def print_scaling(per_org: dict[tuple[int, int], float]) -> None:
    """Per-organisation cost at the most organisations ÷ at the fewest, per worker count (issue 12:
    ≤ 1.2 from 1,000 to 10,000). The larger count runs second, on organisations that already have
    history, as a real collector would."""
    counts = sorted({orgs for orgs, _workers in per_org})
    for workers in sorted({workers for _orgs, workers in per_org}):
        if len(counts) > 1:
            low, high = per_org[counts[0], workers], per_org[counts[-1], workers]
            print(f"workers={workers} per_org at {counts[-1]} ÷ at {counts[0]} = {high / low:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, nargs="+", default=[1000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--fork", action="store_true", help="workers fork a horse per job")
    args = parser.parse_args()
    # the fake provider stands for a remote service: no log line per request
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    redis_url = os.environ["BENCH_REDIS_URL"]
    url, drop = scratch_database(os.environ["BENCH_DATABASE_URL"])
    redis = Redis.from_url(redis_url)
    fake = FakeProvider(TOKEN, Faults(latency=args.latency_ms / 1000, constant=True))
    try:
        with running(fake) as provider_url:
            environ = {
                **os.environ,
                "ACCOUNTDESK_ENV": "testing",
                "DATABASE_URL": url,
                "REDIS_URL": redis_url,
                "PROVIDER": "http",
                "PROVIDER_URL": provider_url,
                "PROVIDER_TOKEN": TOKEN,
                "INSTANCE_PATH": tempfile.mkdtemp(prefix="accountdesk-bench-"),
                "SECRET_KEY": secrets.token_urlsafe(48),
            }
            app = create_app(environ=environ)
            with app.app_context():
                upgrade()
            created, per_org = 0, {}
            for orgs in sorted(args.orgs):
                with app.app_context():
                    rows = [
                        {"name": f"Bench {n}", "provider_account_ref": f"bench-{n:05d}", "active": True}
                        for n in range(created, orgs)
                    ]
                    if rows:
                        db.session.execute(insert(Organization), rows)
                    db.session.commit()
                created = orgs
                for workers in args.workers:
                    elapsed = one_cycle(app, environ, orgs, workers, redis, args.fork)
                    ideal = orgs * args.latency_ms / 1000 / workers
                    per_org[orgs, workers] = elapsed * workers / orgs * 1000
                    print(
                        f"orgs={orgs} workers={workers} cycle={elapsed:.1f}s ideal={ideal:.1f}s "
                        f"ratio={ideal / elapsed:.2f} per_org={per_org[orgs, workers]:.0f}ms·worker "
                        f"load={os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
            print_scaling(per_org)
            with app.app_context():
                db.engine.dispose()
    finally:
        redis.flushdb()
        drop()


if __name__ == "__main__":
    main()
