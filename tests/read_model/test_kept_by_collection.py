"""Property-based: live collections through the one write path (movements, top-ups, credits, failures,
currency changes, month boundaries) keep the read model equal to a recomputation after every step."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_org
from tests.read_model.simulated import Provider, SimulatedAccount
from tests.read_model.strategies import STEP, events, starts
from webapp.collection.rules import collect_balance, collect_costs, default_cost_months
from webapp.domain.months import Month
from webapp.read_model.store import differences

event = events("move", "spend", gaps=True)


def _apply(account: SimulatedAccount, kind: str, value: object, moment: datetime) -> datetime:
    account.failing = str(value) if kind == "fail" else None
    month = Month.of(moment)
    if kind == "move":
        account.balance += value  # type: ignore[operator]
    elif kind == "spend":
        account.totals[month] = account.totals.get(month, Decimal(0)) + value  # type: ignore[operator]
    elif kind == "credit":
        account.totals[month] = max(Decimal(0), account.totals.get(month, Decimal(0)) - value)  # type: ignore[operator]
    elif kind == "switch":
        account.currency = str(value)
    elif kind == "gap":
        return moment + STEP * int(value)  # type: ignore[call-overload]
    return moment + STEP


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=starts, events=st.lists(event, min_size=1, max_size=40))
def test_every_live_collection_leaves_check_clean(app, start, events):
    org = make_org()
    account = SimulatedAccount()
    provider = Provider(account)
    moment = start
    for kind, value in events:
        moment = _apply(account, kind, value, moment)
        collect_balance(org.id, provider, as_of=moment)
        for year, month in default_cost_months(moment):
            collect_costs(org.id, year, month, provider, as_of=moment)
        assert differences(org.id) == [], (kind, value, moment)
