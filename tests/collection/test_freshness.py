"""Freshness (the collection states and the summary the write path keeps) and run history, after real
collection runs."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import make_org
from webapp.collection.rules import run_collection
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.models import CollectionOutcome, CollectionState, OrganizationSummary
from webapp.providers import BalanceReading, ProviderError, get_provider
from webapp.providers.http import HttpProvider
from webapp.queries.collection import recent_runs_stmt

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


def state(organization_id: int, kind: str) -> CollectionState | None:
    db.session.expire_all()
    return db.session.get(CollectionState, (organization_id, kind))


def summary(organization_id: int) -> OrganizationSummary | None:
    db.session.expire_all()
    return db.session.get(OrganizationSummary, organization_id)


def test_freshness_tracks_checks_errors_and_failure_streaks(app):
    org, provider = make_org(), Switchable()
    assert state(org.id, "balances") is None and summary(org.id) is None
    run_collection("balances", provider, organization_ids=[org.id], as_of=T0)
    run_collection("costs", provider, organization_ids=[org.id], months=[(2026, 3)], as_of=T0)
    provider.error = "provider answered HTTP 503"
    for hour in (1, 2):
        run_collection("balances", provider, organization_ids=[org.id], as_of=T0 + timedelta(hours=hour))
    balances, costs, kept = state(org.id, "balances"), state(org.id, "costs"), summary(org.id)
    assert balances and costs and kept
    assert balances.last_success_at == T0 and costs.last_success_at == T0 and kept.checked_at == T0
    assert (balances.last_error, kept.last_failure_reason, kept.last_failure_kind) == (
        "provider answered HTTP 503",
        "provider answered HTTP 503",
        "balances",
    )
    assert balances.last_error_at == kept.last_failure_at == T0 + timedelta(hours=2)
    assert balances.consecutive_failures == kept.failure_streak == 2
    provider.error = None
    run_collection("balances", provider, organization_ids=[org.id], as_of=T0 + timedelta(hours=3))
    kept = summary(org.id)
    assert kept and kept.failure_streak == 0 and kept.checked_at == T0 + timedelta(hours=3)


def test_runs_and_outcomes_are_queryable(app):
    ok, failing = make_org(), make_org()
    run_collection("balances", Switchable(), organization_ids=[ok.id], as_of=T0)
    broken = Switchable()
    broken.error = "cannot connect to the provider"
    run_collection("balances", broken, organization_ids=[failing.id], as_of=T0)
    runs = db.session.scalars(recent_runs_stmt(kind="balances")).all()
    assert [(r.written, r.failed) for r in runs] == [(0, 1), (1, 0)]
    assert all(r.started_at <= r.finished_at for r in runs)
    (outcome,) = db.session.scalars(
        select(CollectionOutcome).where(CollectionOutcome.organization_id == failing.id)
    ).all()
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
