"""Support: a provider with a known daily usage series, collected once a day through the write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.read_model.simulated import Provider, SimulatedAccount
from webapp.collection.rules import collect_costs
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import SpendAnomaly

DAY0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def collect_series(organization_id: int, usage: list[Decimal], *, from_day: int = 0) -> SimulatedAccount:
    """Day i (from DAY0) adds usage[i] to the month's total; one cost collection per day at noon UTC,
    from day `from_day` on (the days before it were collected by an earlier call)."""
    account = SimulatedAccount()
    provider = Provider(account)
    for index, amount in enumerate(usage):
        moment = DAY0 + timedelta(days=index)
        month = Month.of(moment)
        account.totals[month] = account.totals.get(month, Decimal(0)) + amount
        if index >= from_day:
            collect_costs(organization_id, month.year, month.month, provider, as_of=moment)
    db.session.flush()
    return account


def steady_with_spike(days: int, spike_day: int, *, level: str = "10", spike: str = "110") -> list[Decimal]:
    return [Decimal(spike if index == spike_day else level) for index in range(days)]


def make_episode(organization_id: int, *, scope: str = "", status: str = "open", opened_on=None) -> SpendAnomaly:
    """A stored episode as detection would leave it (for the pages' tests)."""
    opened_on = opened_on or (DAY0 + timedelta(days=30)).date()
    episode = SpendAnomaly(
        organization_id=organization_id,
        scope=scope,
        opened_on=opened_on,
        last_day=opened_on,
        closed_on=None if status == "open" else opened_on + timedelta(days=7),
        status=status,
        days=1,
        expected=Decimal("10"),
        actual=Decimal("110.004"),
        currency="EUR",
        top_services=[{"name": "compute", "expected": "5.00", "actual": "85.00"}],
        top_operators=[
            {"name": "Ana", "expected": "4.00", "actual": "64.00"},
            {"name": "Ben", "expected": "1.00", "actual": "11.00"},
        ]
        if scope == ""
        else [],
        method="median-mad-28d",
    )
    db.session.add(episode)
    db.session.flush()
    return episode
