"""The `http` provider against the fake provider server on loopback: contract, retries, strict validation."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_org
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionOutcome, CollectionState, CostSnapshot
from webapp.providers import ProviderError, get_provider
from webapp.providers.demo import DemoProvider
from webapp.providers.fake_server import FakeProvider, Faults, running
from webapp.providers.http import HttpProvider
from webapp.services.collection import run_collection

TOKEN = "s3cret-provider-token"
FROZEN = datetime(2026, 3, 17, 14, 30, tzinfo=UTC)
AT = datetime(2026, 3, 17, 15, tzinfo=UTC)


@pytest.fixture
def fake():
    app = FakeProvider(TOKEN, Faults(frozen_at=FROZEN.isoformat()))
    with running(app) as url:
        app.url = url
        yield app


def client(fake, **kwargs) -> tuple[HttpProvider, list[float]]:
    slept: list[float] = []
    options = {"max_retries": 3, "backoff": 0.5, "backoff_cap": 4.0, "sleep": slept.append, **kwargs}
    return HttpProvider(fake.url, TOKEN, timeout=2, **options), slept


def test_balance_and_costs_match_the_demo_simulation(fake):
    provider, _ = client(fake)
    demo = DemoProvider()
    assert provider.balance("acme-1", as_of=AT) == demo.balance("acme-1", as_of=FROZEN)
    assert provider.month_costs("acme-1", 2026, 3, as_of=AT) == demo.month_costs("acme-1", 2026, 3, as_of=FROZEN)
    assert isinstance(provider.balance("acme-1", as_of=AT).amount, Decimal)


def test_no_costs_yet_is_none(fake):
    provider, _ = client(fake)
    assert provider.month_costs("acme-1", 2026, 4, as_of=AT) is None  # a month after the frozen moment


def test_a_wrong_token_is_refused_without_retrying(fake):
    provider = HttpProvider(fake.url, "wrong", sleep=lambda _s: pytest.fail("must not retry a 401"))
    with pytest.raises(ProviderError, match="refused the credentials"):
        provider.balance("acme-1", as_of=AT)


@pytest.mark.parametrize(
    ("malformed", "reason"),
    [
        ("html", "expected application/json, got 'text/html'"),
        ("truncated", "not valid JSON"),
        ("nan", "not a finite number: 'NaN'"),
        ("infinity", "not a finite number: 'Infinity'"),
        ("float", "must be a decimal string, got Decimal"),
        ("missing", "missing field 'currency'"),
        ("currency", "unknown currency code 'XYZ'"),
    ],
)
def test_malformed_answers_are_failures_with_a_reason(fake, malformed, reason):
    fake.set_faults(malformed=malformed)
    provider, slept = client(fake)
    with pytest.raises(ProviderError, match=reason.replace("(", r"\(")):
        provider.balance("acme-1", as_of=AT)
    with pytest.raises(ProviderError):
        provider.month_costs("acme-1", 2026, 3, as_of=AT)
    assert slept == []  # a malformed 200 is not retried


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_then_succeed(fake, status):
    fake.set_faults(status=status, fail_times=2)
    provider, slept = client(fake)
    assert provider.balance("acme-1", as_of=AT).currency
    assert len(slept) == 2 and len(fake.hits) == 3


def test_backoff_is_capped_jittered_and_honours_retry_after(fake):
    fake.set_faults(status=503)
    provider, slept = client(fake, max_retries=5)
    with pytest.raises(ProviderError, match="HTTP 503"):
        provider.balance("acme-1", as_of=AT)
    assert len(slept) == 5 and all(0 <= s <= 4.0 for s in slept)
    fake.hits.clear()
    fake.set_faults(status=429, retry_after="3")
    provider, slept = client(fake, max_retries=2)
    with pytest.raises(ProviderError, match="HTTP 429"):
        provider.balance("acme-1", as_of=AT)
    assert slept == [3.0, 3.0]
    fake.set_faults(retry_after="3600")
    provider, slept = client(fake, max_retries=1)
    with pytest.raises(ProviderError):
        provider.balance("acme-1", as_of=AT)
    assert slept == [4.0]  # capped


def test_client_errors_are_not_retried(fake):
    provider, slept = client(fake)
    fake.set_faults(failing_refs={"acme-1": 404})
    with pytest.raises(ProviderError, match="does not know this account"):
        provider.balance("acme-1", as_of=AT)
    assert slept == [] and len(fake.hits) == 1


def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    slept: list[float] = []
    provider = HttpProvider(f"http://127.0.0.1:{port}", TOKEN, max_retries=2, sleep=slept.append)
    with pytest.raises(ProviderError, match="cannot connect"):
        provider.balance("acme-1", as_of=AT)
    assert len(slept) == 2


def test_a_slow_provider_times_out(fake):
    fake.set_faults(latency=1.5)
    provider, slept = client(fake, max_retries=1)
    provider.timeout = (1.0, 0.3)
    with pytest.raises(ProviderError, match="timed out"):
        provider.balance("acme-1", as_of=AT)
    assert len(slept) == 1


def test_http_provider_through_the_collection_rules(app, fake):
    app.config.update(PROVIDER="http", PROVIDER_URL=fake.url, PROVIDER_TOKEN=TOKEN)
    try:
        provider = get_provider()
    finally:
        app.config.update(PROVIDER="demo", PROVIDER_URL=None, PROVIDER_TOKEN=None)
    good, bad = make_org(provider_account_ref="good-1"), make_org(provider_account_ref="bad-1")
    fake.set_faults(failing_refs={"bad-1": 404})
    run = run_collection("balances", provider, organization_ids=[good.id, bad.id], as_of=AT)
    run_collection("costs", provider, organization_ids=[good.id, bad.id], months=[(2026, 3)], as_of=AT)
    assert (run.written, run.failed) == (1, 1)
    for model in (BalanceSnapshot, CostSnapshot):
        counts = dict(
            db.session.execute(select(model.organization_id, func.count()).group_by(model.organization_id)).all()
        )
        assert counts == {good.id: 1}
    state = db.session.get(CollectionState, (bad.id, "balances"))
    assert "does not know this account" in state.last_error and state.consecutive_failures == 1
    assert TOKEN not in state.last_error


def test_faults_can_be_switched_over_http(fake):
    import requests

    answer = requests.post(f"{fake.url}/_faults", json={"status": 502, "fail_times": 1, "bogus": 1}, timeout=5)
    assert answer.status_code == 200 and answer.json()["status"] == 502
    provider, slept = client(fake)
    assert provider.balance("acme-1", as_of=AT).currency and len(slept) == 1


def test_a_refusing_provider_url_is_a_clear_reason_in_the_run_record(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    org = make_org()
    provider = HttpProvider(f"http://127.0.0.1:{port}", TOKEN, max_retries=1, sleep=lambda _s: None)
    run = run_collection("balances", provider, organization_ids=[org.id], as_of=AT)
    outcome = db.session.scalars(select(CollectionOutcome).where(CollectionOutcome.run_id == run.id)).one()
    assert run.failed == 1 and outcome.reason.endswith(": cannot connect to the provider")
    assert db.session.scalar(select(func.count()).select_from(BalanceSnapshot)) == 0
