"""Freshness and run history through the read-side queries, after real collection runs."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.factories import make_org
from webapp.collection.rules import run_collection
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.providers import BalanceReading, ProviderError, get_provider
from webapp.providers.http import HttpProvider
from webapp.queries.collection import freshness, organization_outcomes_stmt, recent_runs_stmt

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)


class Switchable:
    """Answers a balance, or fails with `error` when it is set."""

    name = "switchable"

    def __init__(self) -> None:
        self.error: str | None = None

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        if self.error:
            raise ProviderError(self.error)
        return BalanceReading(Decimal("10.00"), "EUR")

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime):
        if self.error:
            raise ProviderError(self.error)
        return None


def test_freshness_tracks_checks_errors_and_failure_streaks(app):
    org, provider = make_org(), Switchable()
    assert freshness(org.id).last_balance_check_at is None and freshness(org.id).consecutive_failures == 0
    run_collection("balances", provider, organization_ids=[org.id], as_of=T0)
    run_collection("costs", provider, organization_ids=[org.id], months=[(2026, 3)], as_of=T0)
    provider.error = "provider answered HTTP 503"
    for hour in (1, 2):
        run_collection("balances", provider, organization_ids=[org.id], as_of=T0 + timedelta(hours=hour))
    state = freshness(org.id)
    assert state.last_balance_check_at == T0 and state.last_cost_collection_at == T0
    assert (state.last_error, state.last_error_kind) == ("provider answered HTTP 503", "balances")
    assert state.last_error_at == T0 + timedelta(hours=2) and state.consecutive_failures == 2
    provider.error = None
    run_collection("balances", provider, organization_ids=[org.id], as_of=T0 + timedelta(hours=3))
    assert freshness(org.id).consecutive_failures == 0
    assert freshness(org.id).last_balance_check_at == T0 + timedelta(hours=3)


def test_runs_and_outcomes_are_queryable(app):
    ok, failing = make_org(), make_org()
    run_collection("balances", Switchable(), organization_ids=[ok.id], as_of=T0)
    broken = Switchable()
    broken.error = "cannot connect to the provider"
    run_collection("balances", broken, organization_ids=[failing.id], as_of=T0)
    runs = db.session.scalars(recent_runs_stmt(kind="balances")).all()
    assert [(r.written, r.failed) for r in runs] == [(0, 1), (1, 0)]
    assert all(r.started_at <= r.finished_at for r in runs)
    (outcome,) = db.session.scalars(organization_outcomes_stmt(failing.id)).all()
    assert (outcome.outcome, outcome.reason) == ("failed", "cannot connect to the provider")


def test_the_registry_builds_the_http_provider_from_config(app):
    app.config.update(PROVIDER="http", PROVIDER_URL="http://127.0.0.1:9/", PROVIDER_TOKEN="t", PROVIDER_TIMEOUT=4.0)
    try:
        provider = get_provider()
        with pytest.raises(ProviderError, match="not available"):
            get_provider("carrier-pigeon")
    finally:
        app.config.update(PROVIDER="demo", PROVIDER_URL=None, PROVIDER_TOKEN=None, PROVIDER_TIMEOUT=10.0)
    assert isinstance(provider, HttpProvider) and provider.timeout == (3.05, 4.0)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "REDIS_URL is required"),
        ({"REDIS_URL": "redis://127.0.0.1:9/0", "PROVIDER": "magic"}, "PROVIDER must be one of"),
        ({"REDIS_URL": "redis://127.0.0.1:9/0", "PROVIDER": "http"}, "PROVIDER_URL is required"),
    ],
)
def test_worker_and_scheduler_refuse_to_start_with_a_clear_reason(tmp_path, environ, message):
    base = {"PATH": "/usr/bin:/bin", "ACCOUNTDESK_ENV": "testing", "INSTANCE_PATH": str(tmp_path)}
    for module in ("jobs.worker", "jobs.scheduler"):
        done = subprocess.run(
            [sys.executable, "-m", module],
            cwd=PROJECT_ROOT,
            env={**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **environ},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0 and message in done.stderr, done.stderr
