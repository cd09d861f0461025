"""The runway rule reads the stored depletion forecast (issue 14): expected days until zero, unknown
when the forecast could not be made, none when no depletion is in sight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import make_org
from tests.read_model.simulated import Provider, SimulatedAccount
from webapp.alerts.evaluate import Summary, reading_for
from webapp.collection.rules import collect_balance, collect_costs, default_cost_months
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import AlertEvent

NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)


def summary(status: str | None, runs_out_on: date | None = None, balance: str = "100") -> Summary:
    return Summary(Decimal(balance), "EUR", status, runs_out_on, NOW, 0)


def test_runway_days_count_from_today_to_the_expected_day():
    reading = reading_for(summary("forecast", date(2026, 3, 30)), None, now=NOW, interval_hours=6)
    assert (reading.runway_days, reading.runway_unknown) == (Decimal(10), False)
    late = reading_for(summary("forecast", date(2026, 3, 19)), None, now=NOW, interval_hours=6)
    assert late.runway_days == Decimal(0)


@pytest.mark.parametrize(
    ("status", "days", "unknown"),
    [
        ("no_spend", None, False),
        ("beyond_horizon", None, False),
        ("short_history", None, True),
        ("overdrawn", None, True),
        ("no_balance", None, True),
        (None, None, True),
    ],
)
def test_without_a_forecast_the_runway_is_none_or_unknown(status, days, unknown):
    reading = reading_for(summary(status), None, now=NOW, interval_hours=6)
    assert (reading.runway_days, reading.runway_unknown) == (days, unknown)


def test_a_forecast_running_out_within_two_weeks_fires_the_runway_rule(app):
    org = make_org()
    account = SimulatedAccount(balance=Decimal(200))
    provider = Provider(account)
    start = datetime(2026, 3, 1, 6, tzinfo=UTC)
    for index in range(9):
        moment = start + timedelta(days=index)
        account.balance -= Decimal(10)
        account.totals[Month.of(moment)] = Decimal(10) * (index + 1)
        collect_balance(org.id, provider, as_of=moment)
        for year, month in default_cost_months(moment):
            collect_costs(org.id, year, month, provider, as_of=moment)
    db.session.flush()
    fired = db.session.execute(
        select(AlertEvent.kind, AlertEvent.figures).where(
            AlertEvent.organization_id == org.id, AlertEvent.rule == "runway"
        )
    ).all()
    assert [kind for kind, _ in fired] == ["triggered"]
    # first forecast on 03-08 (7 completed days): closing 130 on 03-07, 10 a day: zero on 03-20, 12 days on
    assert fired[0].figures["runway_days"] == "12.0"
