"""The three read-model benchmark datasets (issue 12 §5) on the local PostgreSQL, loaded once and reused.

    .venv/bin/python -m bench.datasets a b c          # create + load what is missing
    .venv/bin/python -m bench.datasets c --reload     # drop and load again
    BENCH_DB_PREFIX=portfolio_ BENCH_B_DAYS=90 .venv/bin/python -m bench.datasets a b   # own names, shorter (b)

Each dataset is its own database (never `postgres` or `test`). A load runs `flask db upgrade`,
`flask demo-data --orgs N --days D`, then, if `flask summaries check` on a sample of organisations
finds differences (code that does not keep the read model while writing), `flask summaries rebuild`,
then `VACUUM ANALYZE`. A finished load is recorded as the database's COMMENT, so the next run skips it;
an interrupted one is resumed (demo-data continues after each organisation's last check).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
MARKER = "accountdesk read-model bench dataset"
# BENCH_DB_PREFIX=portfolio_ names the databases portfolio_a/b/c; BENCH_B_DAYS=90 loads a shorter (b) for development.
PREFIX = os.environ.get("BENCH_DB_PREFIX", "accountdesk_bench_")
B_DAYS = int(os.environ.get("BENCH_B_DAYS", "365"))


@dataclass(frozen=True)
class Dataset:
    key: str
    orgs: int
    days: int

    @property
    def database(self) -> str:
        return f"{PREFIX}{self.key}"

    @property
    def url(self) -> str:
        return f"{SERVER}/{self.database}"

    @property
    def label(self) -> str:
        return f"({self.key}) {self.orgs:,} × {self.days} d"

    @property
    def marker(self) -> str:
        return f"{MARKER} {self.orgs}x{self.days}"


DATASETS = {d.key: d for d in (Dataset("a", 10, 7), Dataset("b", 1000, B_DAYS), Dataset("c", 10_000, 7))}
FORBIDDEN = {"postgres", "test", "template0", "template1"}


def psql(sql: str, database: str = "postgres") -> str:
    command = ["psql", f"{SERVER}/{database}", "-v", "ON_ERROR_STOP=1", "-Atqc", sql]
    done = subprocess.run(  # noqa: S603 - our own SQL against the local benchmark server
        command,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def exists(dataset: Dataset) -> bool:
    return psql(f"SELECT count(*) FROM pg_database WHERE datname = '{dataset.database}'") == "1"


def comment(dataset: Dataset) -> str:
    return psql(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        f"WHERE datname = '{dataset.database}'"
    )


def is_loaded(dataset: Dataset) -> bool:
    return exists(dataset) and comment(dataset).startswith(dataset.marker)


def flask(dataset: Dataset, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dataset.url, "INSTANCE_PATH": f"/tmp/{dataset.database}"}  # noqa: S108
    command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args]
    log(dataset, "$ flask " + " ".join(args))
    return subprocess.run(command, cwd=ROOT, env=env, check=check, text=True, capture_output=not check)  # noqa: S603


def log(dataset: Dataset, message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {dataset.database}: {message}", file=sys.stderr, flush=True)


def read_model_in_step(dataset: Dataset) -> bool:
    """`flask summaries check` on the first and last organisation: clean means the loaded code kept it."""
    sample = psql("SELECT min(id) || ' ' || max(id) FROM organizations", dataset.database).split()
    for organization_id in dict.fromkeys(sample):
        if flask(dataset, "summaries", "check", "--org", organization_id, check=False).returncode != 0:
            return False
    return True


def refresh_read_model(dataset: Dataset) -> None:
    """Rebuild the read model when the loaded code did not keep it (or keeps it differently now)."""
    if not read_model_in_step(dataset):
        log(dataset, "the read model differs from a recomputation by this code: rebuilding it")
        flask(dataset, "summaries", "rebuild")
        psql("VACUUM ANALYZE", dataset.database)


def load(dataset: Dataset, *, reload: bool = False) -> float:
    """Seconds spent loading (0 when the dataset was already there)."""
    if dataset.database in FORBIDDEN:
        raise SystemExit(f"refusing to use the {dataset.database} database")
    if reload and exists(dataset):
        psql(f'DROP DATABASE "{dataset.database}" WITH (FORCE)')
    if is_loaded(dataset):
        log(dataset, f"already loaded ({comment(dataset)}): skipped")
        flask(dataset, "db", "upgrade")  # newer code may add migrations; the marker is about the data
        refresh_read_model(dataset)
        return 0.0
    if not exists(dataset):
        psql(f'CREATE DATABASE "{dataset.database}"')
    started = time.monotonic()
    flask(dataset, "db", "upgrade")
    cpu_before, load_before, replay_started = _children_cpu(), os.getloadavg()[0], time.monotonic()
    flask(dataset, "demo-data", "--orgs", str(dataset.orgs), "--days", str(dataset.days), "--quiet")
    loaded, cpu = time.monotonic() - replay_started, _children_cpu() - cpu_before
    log(
        dataset,
        f"demo-data took {loaded:.0f} s wall, {cpu:.0f} s CPU of its processes (not PostgreSQL's); "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
    )
    refresh_read_model(dataset)
    psql("VACUUM ANALYZE", dataset.database)
    elapsed = time.monotonic() - started
    note = (
        f"{dataset.marker} loaded {datetime.now(UTC):%Y-%m-%dT%H:%MZ}, demo-data {loaded:.0f} s "
        f"({cpu:.0f} s CPU), total {elapsed:.0f} s"
    )
    psql(f"COMMENT ON DATABASE \"{dataset.database}\" IS '{note}'")
    log(dataset, note)
    return elapsed


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description="Create and load the read-model benchmark datasets.")
    parser.add_argument("keys", nargs="*", choices=sorted(DATASETS), default=sorted(DATASETS))
    parser.add_argument("--reload", action="store_true", help="drop and load again even when already loaded")
    args = parser.parse_args()
    for key in args.keys:
        load(DATASETS[key], reload=args.reload)


if __name__ == "__main__":
    main()
