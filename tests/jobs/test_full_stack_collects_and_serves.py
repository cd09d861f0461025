"""End to end: the Procfile's web, worker and scheduler plus the fake provider, on PostgreSQL and Redis."""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import make_test_app
from tests.factories import make_org
from tests.processes import Process, stack_environ, wait_for
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionRun, CollectionState

pytestmark = [pytest.mark.redis, pytest.mark.postgresql]
TOKEN = "e2e-provider-token-77aa11"


def procfile() -> dict[str, str]:
    lines = (PROJECT_ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_procfile_processes_collect_from_the_fake_provider(postgres_url, redis_url, tmp_path: Path):
    app = make_test_app(postgres_url, tmp_path / "test-instance")
    with app.app_context():
        ids = [make_org(provider_account_ref=f"e2e-{n}").id for n in range(4)]
        db.session.commit()
    web_port, provider_port = free_port(), free_port()
    environ = stack_environ(
        postgres_url,
        redis_url,
        f"http://127.0.0.1:{provider_port}",
        TOKEN,
        tmp_path,
        ACCOUNTDESK_ENV="production",
        COLLECT_INTERVAL_SECONDS="4",
        HOST="127.0.0.1",
        PORT=str(web_port),
        WEB_CONCURRENCY="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    processes = []
    try:
        processes.append(
            Process.python(
                "fake-provider",
                ["flask", "--app", "wsgi", "fake-provider", "--port", str(provider_port), "--latency-ms", "20"],
                environ,
                tmp_path,
            )
        )
        for name, command in procfile().items():
            processes.append(Process(name, ["bash", "-c", f"exec {command}"], environ, tmp_path))
        wait_for(lambda: ready(f"http://127.0.0.1:{web_port}/readyz"), timeout=60, what="web /readyz")
        checks = requests.get(f"http://127.0.0.1:{web_port}/readyz", timeout=5).json()["checks"]
        assert checks == {"database": "ok", "redis": "ok"}
        with app.app_context():

            def collected() -> bool:
                balances = db.session.scalar(select(func.count(func.distinct(BalanceSnapshot.organization_id))))
                costs = db.session.scalar(
                    select(func.count()).where(
                        CollectionState.kind == "costs", CollectionState.last_success_at.isnot(None)
                    )
                )
                db.session.rollback()
                return balances == len(ids) and costs == len(ids)

            wait_for(collected, timeout=90, interval=0.5, what="snapshots from every organisation")
            runs = db.session.scalars(select(CollectionRun).where(CollectionRun.trigger == "schedule")).all()
            assert runs and all(r.failed == 0 for r in runs)
            db.session.rollback()
            db.engine.dispose()
    finally:
        for process in processes:
            process.stop()
    output = "".join(p.output() for p in processes)
    assert TOKEN not in output, "the provider token leaked into a log"
    assert "collection_job" in output and "dispatch enqueued" in output, output[-3000:]
    assert shlex.split(procfile()["worker"]) == ["python", "-m", "jobs.worker"]
