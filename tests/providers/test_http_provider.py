"""The `http` provider against the fake provider server on loopback: contract, retries, strict validation."""

from __future__ import annotations

import re
import socket
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_org
from webapp.collection.rules import run_collection
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionOutcome, CollectionState, CostSnapshot
from webapp.providers import ProviderError, get_provider
from webapp.providers.demo import DemoProvider
from webapp.providers.fake_server import FakeProvider, Faults, running
from webapp.providers.http import HttpProvider

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


@pytest.mark.parametrize("odd", ["1E+5000000", "1E-5000000", "1E+30", "1_000.00", " 12.50", "12.50 ", "١٢.٥٠", "+1.00"])
@pytest.mark.parametrize(
    "field",
    ["amount", "costs.total", "costs.fees.0.amount", "costs.usage_lines.0.quantity", "costs.usage_lines.0.amount"],
)
def test_amounts_and_quantities_must_be_plain_bounded_decimals(fake, field, odd):
    fake.set_faults(patch={field: odd})
    provider, slept = client(fake)
    ask = provider.balance if field == "amount" else lambda ref, as_of: provider.month_costs(ref, 2026, 3, as_of=as_of)
    with pytest.raises(ProviderError, match="must be a plain decimal") as refused:
        ask("acme-1", as_of=AT)
    assert len(str(refused.value)) < 300 and slept == []


def test_quantities_have_their_own_documented_bounds(fake):
    fake.set_faults(patch={"costs.usage_lines.0.quantity": "123456789012345.123456789012"})
    provider, _ = client(fake)
    report = provider.month_costs("acme-1", 2026, 3, as_of=AT)
    assert report.usage_lines[0].quantity == Decimal("123456789012345.123456789012")
    for too_long in ("1234567890123456", "1.1234567890123"):
        fake.set_faults(patch={"costs.usage_lines.0.quantity": too_long})
        with pytest.raises(ProviderError, match=r"usage_lines\[0\]\.quantity must be a plain decimal"):
            provider.month_costs("acme-1", 2026, 3, as_of=AT)


def test_duplicate_keys_are_an_ambiguous_answer(fake):
    fake.set_faults(malformed="duplicate")
    provider, _ = client(fake)
    with pytest.raises(ProviderError, match="ambiguous answer: duplicate key 'currency'"):
        provider.balance("acme-1", as_of=AT)


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("costs.usage_lines.3.operator_name", "usage_lines[3].operator_name"),
        ("costs.usage_lines.0.service", "usage_lines[0].service"),
        ("costs.usage_lines.1.unit", "usage_lines[1].unit"),
        ("costs.fees.0.name", "fees[0].name"),
        ("costs.fees.0.code", "fees[0].code"),
        ("costs.currency", "costs.currency"),
    ],
)
def test_a_control_character_in_a_text_field_is_a_named_failure(fake, field, named):
    fake.set_faults(patch={field: "EU\x00R" if field.endswith("currency") else "Ops\x00 team\x1b[2J"})
    provider, _ = client(fake)
    with pytest.raises(ProviderError, match=re.escape(f"control character in {named}")):
        provider.month_costs("acme-1", 2026, 3, as_of=AT)


def test_a_poisoned_answer_is_a_named_failure_in_the_run_record_and_writes_nothing(app, fake):
    org = make_org(provider_account_ref="poison-1")
    fake.set_faults(patch={"costs.usage_lines.3.operator_name": "x\x00y", "costs.usage_lines.0.quantity": "1E+5000000"})
    provider, _ = client(fake)
    run = run_collection("costs", provider, organization_ids=[org.id], months=[(2026, 3)], as_of=AT)
    outcome = db.session.scalars(select(CollectionOutcome).where(CollectionOutcome.run_id == run.id)).one()
    assert run.failed == 1 and "usage_lines[0].quantity must be a plain decimal" in outcome.reason
    assert "internal error" not in outcome.reason
    fake.set_faults(patch={"costs.usage_lines.3.operator_name": "x\x00y"})
    run = run_collection("costs", provider, organization_ids=[org.id], months=[(2026, 3)], as_of=AT)
    state = db.session.get(CollectionState, (org.id, "costs"))
    assert state.last_error == "control character in usage_lines[3].operator_name"
    assert db.session.scalar(select(func.count()).select_from(CostSnapshot)) == 0


def test_a_slow_dripping_answer_fails_at_the_total_deadline(fake):
    fake.set_faults(drip_refs={"acme-1": 0.5})  # each byte is quick; the whole answer takes ~20 s
    provider, _ = client(fake, max_retries=0)
    provider.timeout = (1.0, 1.5)
    started = time.monotonic()
    with pytest.raises(ProviderError, match="timed out"):
        provider.balance("acme-1", as_of=AT)
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("how", ["declared", "chunked"])
def test_a_huge_answer_is_refused_without_reading_it_all(fake, how):
    fake.set_faults(huge_refs={"acme-1": how})
    provider, slept = client(fake, max_retries=0)
    started = time.monotonic()
    with pytest.raises(ProviderError, match="response too large"):
        provider.balance("acme-1", as_of=AT)
    assert time.monotonic() - started < 3.0 and slept == []
