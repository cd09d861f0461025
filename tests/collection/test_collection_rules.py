"""The collection rules (SPEC §3) on both backends, through the collection service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_org
from webapp.collection.rules import (
    collect_balance,
    collect_costs,
    default_cost_months,
    history_months,
    run_collection,
)
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionOutcome, CollectionState, CostSnapshot
from webapp.providers import BalanceReading, CostReport, Fee, ProviderError, UsageLine

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)


@dataclass
class ScriptedProvider:
    """Answers from scripts per reference; an Exception in a script is raised."""

    balances: dict[str, list] = field(default_factory=dict)
    costs: dict[str, list] = field(default_factory=dict)
    name: str = "scripted"

    def balance(self, account_ref, *, as_of):
        answer = self.balances[account_ref].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def month_costs(self, account_ref, year, month, *, as_of):
        answer = self.costs[account_ref].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def reading(amount: str, currency: str = "EUR") -> BalanceReading:
    return BalanceReading(Decimal(amount), currency)


def report(total: str) -> CostReport:
    lines = (UsageLine("Compute", "op-1", "Ana", Decimal("10.5"), "hour", Decimal(total)),)
    return CostReport("EUR", Decimal(total), (Fee("usage", "Usage", Decimal(total)),), lines)


def balances_of(org) -> list[tuple]:
    return list(
        db.session.execute(
            select(BalanceSnapshot.amount, BalanceSnapshot.currency, BalanceSnapshot.collected_at)
            .where(BalanceSnapshot.organization_id == org.id)
            .order_by(BalanceSnapshot.collected_at)
        )
    )


def state_of(org, kind="balances") -> CollectionState:
    db.session.expire_all()
    return db.session.get(CollectionState, (org.id, kind))


def test_balance_written_only_when_amount_or_currency_changes(app):
    org = make_org()
    provider = ScriptedProvider(
        balances={
            org.provider_account_ref: [
                reading("100.00"),
                reading("100.00"),
                reading("99.5"),
                reading("99.50000"),
                reading("99.50", "USD"),
            ]
        }
    )
    outcomes = [collect_balance(org.id, provider, as_of=T0 + timedelta(hours=3 * i)).outcome for i in range(5)]
    assert outcomes == ["written", "unchanged", "written", "unchanged", "written"]
    assert [(a, c) for a, c, _ in balances_of(org)] == [
        (Decimal("100"), "EUR"),
        (Decimal("99.5"), "EUR"),
        (Decimal("99.5"), "USD"),
    ]
    assert [at for *_, at in balances_of(org)] == [T0, T0 + timedelta(hours=6), T0 + timedelta(hours=12)]


def test_every_check_is_recorded_even_when_nothing_is_written(app):
    org = make_org()
    provider = ScriptedProvider(balances={org.provider_account_ref: [reading("5.00"), reading("5.00")]})
    collect_balance(org.id, provider, as_of=T0)
    collect_balance(org.id, provider, as_of=T0 + timedelta(hours=3))
    assert len(balances_of(org)) == 1
    assert state_of(org).last_success_at == T0 + timedelta(hours=3)


@pytest.mark.parametrize(
    "bad",
    [
        ProviderError("timeout after 10s"),
        BalanceReading(Decimal("NaN"), "EUR"),
        BalanceReading(Decimal("Infinity"), "EUR"),
        BalanceReading(Decimal("1.000000001"), "EUR"),
        BalanceReading(Decimal("1.00"), "XXY"),
        BalanceReading(1.5, "EUR"),
    ],
)
def test_a_failed_or_invalid_answer_writes_nothing_and_is_recorded(app, bad):
    org = make_org()
    provider = ScriptedProvider(balances={org.provider_account_ref: [reading("7.00"), bad]})
    collect_balance(org.id, provider, as_of=T0)
    result = collect_balance(org.id, provider, as_of=T0 + timedelta(hours=3))
    assert result.outcome == "failed" and result.reason
    assert len(balances_of(org)) == 1
    state = state_of(org)
    assert state.last_success_at == T0
    assert state.consecutive_failures == 1
    assert state.last_error == result.reason


def test_consecutive_failures_count_up_and_reset(app):
    org = make_org()
    provider = ScriptedProvider(
        balances={org.provider_account_ref: [ProviderError("a"), ProviderError("b"), reading("1.00")]}
    )
    for i in range(2):
        collect_balance(org.id, provider, as_of=T0 + timedelta(hours=i))
    assert state_of(org).consecutive_failures == 2
    collect_balance(org.id, provider, as_of=T0 + timedelta(hours=5))
    assert state_of(org).consecutive_failures == 0
    assert state_of(org).last_error == "b"


def test_an_older_observation_never_lands_after_a_newer_row(app):
    org = make_org()
    provider = ScriptedProvider(balances={org.provider_account_ref: [reading("2.00"), reading("3.00")]})
    collect_balance(org.id, provider, as_of=T0)
    collect_balance(org.id, provider, as_of=T0 - timedelta(hours=1))
    assert [a for a, _, _ in balances_of(org)] == [Decimal("2.00")]
    assert state_of(org).last_success_at == T0


def cost_rows(org):
    return list(
        db.session.scalars(
            select(CostSnapshot).where(CostSnapshot.organization_id == org.id).order_by(CostSnapshot.collected_at)
        )
    )


def test_costs_nothing_before_costs_then_a_snapshot_every_run(app):
    org = make_org()
    provider = ScriptedProvider(
        costs={org.provider_account_ref: [None, None, report("1.25"), report("1.25"), report("4.0042")]}
    )
    outcomes = [collect_costs(org.id, 2026, 3, provider, as_of=T0 + timedelta(hours=3 * i)).outcome for i in range(5)]
    assert outcomes == ["no_costs", "no_costs", "written", "written", "written"]
    rows = cost_rows(org)
    assert [r.total for r in rows] == [Decimal("1.25"), Decimal("1.25"), Decimal("4.0042")]
    assert rows[-1].usage_lines == [
        {
            "service": "Compute",
            "operator_id": "op-1",
            "operator_name": "Ana",
            "quantity": "10.5",
            "unit": "hour",
            "amount": "4.0042",
        }
    ]
    assert rows[-1].fees == [{"code": "usage", "name": "Usage", "amount": "4.0042"}]
    assert state_of(org, "costs").last_success_at == T0 + timedelta(hours=12)


def test_quantities_are_stored_as_reported_and_may_be_large(app):
    org = make_org()
    line = UsageLine("Transfer", None, None, Decimal("15000000000.123456789"), "byte", Decimal("0.10"))
    big = CostReport("EUR", Decimal("0.10"), (Fee("usage", "Usage", Decimal("0.10")),), (line,))
    provider = ScriptedProvider(costs={org.provider_account_ref: [big]})
    assert collect_costs(org.id, 2026, 3, provider, as_of=T0).outcome == "written"
    assert cost_rows(org)[0].usage_lines[0]["quantity"] == "15000000000.123456789"


def test_costs_invalid_report_writes_nothing(app):
    org = make_org()
    broken = CostReport("EUR", Decimal("1"), (Fee("usage", "", Decimal("1")),), ())
    provider = ScriptedProvider(costs={org.provider_account_ref: [broken]})
    result = collect_costs(org.id, 2026, 3, provider, as_of=T0)
    assert result.outcome == "failed" and "fee name" in result.reason
    assert cost_rows(org) == []


def test_one_failing_organisation_does_not_block_the_others(app):
    orgs = [make_org() for _ in range(3)]
    provider = ScriptedProvider(
        balances={
            orgs[0].provider_account_ref: [reading("1.00")],
            orgs[1].provider_account_ref: [RuntimeError("adapter bug")],
            orgs[2].provider_account_ref: [ProviderError("HTTP 503")],
        }
    )
    extra = make_org()
    provider.balances[extra.provider_account_ref] = [reading("9.00")]
    run = run_collection("balances", provider, organization_ids=[o.id for o in [*orgs, extra]], as_of=T0)
    assert (run.written, run.failed) == (2, 2)
    reasons = dict(
        db.session.execute(
            select(CollectionOutcome.organization_id, CollectionOutcome.reason).where(
                CollectionOutcome.run_id == run.id
            )
        ).all()
    )
    assert reasons[orgs[1].id] == "internal error: RuntimeError"
    assert reasons[orgs[2].id] == "HTTP 503"
    assert run.finished_at is not None
    assert (
        db.session.scalar(
            select(func.count()).select_from(BalanceSnapshot).where(BalanceSnapshot.organization_id == extra.id)
        )
        == 1
    )


def test_inactive_organisations_are_not_collected_by_default(app):
    active, inactive = make_org(), make_org(active=False)
    provider = ScriptedProvider(balances={active.provider_account_ref: [reading("1.00")]})
    run = run_collection("balances", provider, as_of=T0, organization_ids=None)
    collected = set(
        db.session.scalars(select(CollectionOutcome.organization_id).where(CollectionOutcome.run_id == run.id))
    )
    assert active.id in collected and inactive.id not in collected


@pytest.mark.parametrize(
    ("moment", "months"),
    [
        (datetime(2026, 3, 5, 23, tzinfo=UTC), [(2026, 2), (2026, 3)]),
        (datetime(2026, 3, 6, tzinfo=UTC), [(2026, 3)]),
        (datetime(2026, 1, 2, tzinfo=UTC), [(2025, 12), (2026, 1)]),
    ],
)
def test_default_cost_months(moment, months):
    assert default_cost_months(moment) == months


@dataclass
class RecordingProvider:
    """Reports the same month total for every month asked, and remembers what was asked."""

    asked: list[tuple[int, int]] = field(default_factory=list)
    name: str = "recording"

    def balance(self, account_ref, *, as_of):
        return reading("1.00")

    def month_costs(self, account_ref, year, month, *, as_of):
        self.asked.append((year, month))
        return report("10.00")


@pytest.mark.parametrize("moment", [T0, datetime(2026, 3, 5, 23, tzinfo=UTC)])
def test_the_first_cost_collection_also_asks_for_the_closed_months_of_two_years(app, moment):
    """The default months first (the current month's figures come first), then the history, newest first."""
    org = make_org()
    provider = RecordingProvider()
    run = run_collection("costs", provider, organization_ids=[org.id], as_of=moment)
    default = [(m.year, m.month) for m in default_cost_months(moment)]
    assert provider.asked[: len(default)] == default and (run.written, run.failed) == (25, 0)
    history = provider.asked[len(default) :]
    assert history == sorted(history, reverse=True) and history[-1] == (2024, 3)
    assert sorted({*default, *history}) == [(2024 + (month - 1) // 12, (month - 1) % 12 + 1) for month in range(3, 28)]
    assert [(m.year, m.month) for m in history_months(moment)] == history
    provider.asked.clear()
    later = moment + timedelta(hours=3)
    run_collection("costs", provider, organization_ids=[org.id], as_of=later)
    assert provider.asked == [(m.year, m.month) for m in default_cost_months(later)]  # once only


def test_a_first_collection_that_failed_asks_for_the_history_again(app):
    org = make_org()
    run = run_collection("costs", ScriptedProvider(costs={org.provider_account_ref: [ProviderError("HTTP 503")] * 25}))
    assert run.failed == 25
    provider = RecordingProvider()
    run_collection("costs", provider, organization_ids=[org.id], as_of=T0)
    assert len(provider.asked) == 25


@pytest.mark.parametrize(
    ("poisoned", "reason"),
    [
        (UsageLine("Compute", "op-1", "Ana\x00", Decimal("1"), "hour", Decimal("1")), "usage_lines[0].operator_name"),
        (UsageLine("Comp\x1bute", None, None, Decimal("1"), "hour", Decimal("1")), "usage_lines[0].service"),
        (UsageLine("Compute", None, None, Decimal("1"), "h\x7four", Decimal("1")), "usage_lines[0].unit"),
        (UsageLine("Compute", None, None, Decimal("1E+5000000"), "hour", Decimal("1")), "usage_lines[0].quantity"),
        (UsageLine("Compute", None, None, Decimal("1E-5000000"), "hour", Decimal("1")), "usage_lines[0].quantity"),
        (UsageLine("Compute", None, None, Decimal("1E+30"), "hour", Decimal("1")), "usage_lines[0].quantity"),
        (UsageLine("Compute", None, None, Decimal("1"), "hour", Decimal("1E+30")), "usage_lines[0].amount"),
    ],
)
def test_a_poisoned_reading_is_a_named_validation_failure(app, poisoned, reason):
    org = make_org()
    bad = CostReport("EUR", Decimal("1"), (Fee("usage", "Usage", Decimal("1")),), (poisoned,))
    result = collect_costs(org.id, 2026, 3, ScriptedProvider(costs={org.provider_account_ref: [bad]}), as_of=T0)
    assert result.outcome == "failed" and reason in result.reason and "internal error" not in result.reason
    assert cost_rows(org) == []


def test_stored_failure_reasons_are_capped(app):
    org = make_org()
    provider = ScriptedProvider(balances={org.provider_account_ref: [ProviderError("x" * 5000)] * 2})
    result = collect_balance(org.id, provider, as_of=T0)
    assert len(result.reason) == 300 and result.reason.endswith("…")
    assert state_of(org).last_error == result.reason
    run = run_collection("balances", provider, organization_ids=[org.id], as_of=T0 + timedelta(hours=3))
    outcome = db.session.scalars(select(CollectionOutcome).where(CollectionOutcome.run_id == run.id)).one()
    assert outcome.reason == result.reason
