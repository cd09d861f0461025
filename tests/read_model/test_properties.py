"""Property-based: random collections (movements, top-ups, skip-unchanged gaps, failures, credits, currency
changes, month boundaries) leave `check` clean after a rebuild, and the derivation keeps its invariants."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dashboard_data import line, make_cost
from tests.factories import make_balance, make_org
from tests.read_model.strategies import STEP, cents, events, starts
from webapp.domain.money import format_amount
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import CollectionState
from webapp.read_model.daily import attributed_day, daily_figures
from webapp.read_model.ledger import CostPoint, Ledger
from webapp.read_model.store import differences, rebuild

event = events("balance", "cost")


def replay(start: datetime, events: list[tuple[str, object]]) -> int:
    """Write the events as collection would: a balance row only on a change, a cost row per run."""
    org = make_org()
    balance, currency, totals = Decimal(100), "EUR", defaultdict(lambda: Decimal(0))
    states = {kind: CollectionState(organization_id=org.id, kind=kind) for kind in ("balances", "costs")}
    for index, (kind, value) in enumerate(events):
        moment = start + index * STEP
        month = Month.of(moment)
        if kind == "balance" and value:
            balance += value
            make_balance(org, format_amount(balance), currency=currency, at=moment)
        elif kind in ("cost", "credit"):
            totals[(month, currency)] += value if kind == "cost" else -min(value, totals[(month, currency)])
            total = totals[(month, currency)]
            lines = [line("compute", format_amount(total / 2)), line("storage", format_amount(total - total / 2))]
            make_cost(org, month.year, month.month, moment, lines, currency=currency)
        elif kind == "switch" and value != currency:
            currency = str(value)
            make_balance(org, format_amount(balance), currency=currency, at=moment)
        state = states["balances" if kind == "balance" else "costs"]
        state.last_attempt_at = moment
        if kind == "fail":
            state = states[str(value)]
            state.last_error, state.last_error_at = f"failure {index}", moment
            state.consecutive_failures = (state.consecutive_failures or 0) + 1
        else:
            state.last_success_at, state.consecutive_failures = moment, 0
    db.session.add_all(states.values())
    db.session.flush()
    return org.id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=starts, events=st.lists(event, min_size=1, max_size=60))
def test_rebuild_then_check_is_clean(app, start, events):
    organization_id = replay(start, events)
    rebuild(organization_id)
    assert differences(organization_id) == []
    rebuild(organization_id)
    assert differences(organization_id) == []


@settings(max_examples=300, deadline=None)
@given(start=starts, growth=st.lists(st.one_of(cents, cents.map(lambda c: -c)), min_size=1, max_size=120))
def test_daily_spend_adds_up_to_each_months_highest_total(start, growth):
    """One currency: a month's days add up to its highest total (less the baseline), never below 0."""
    points, totals = [], defaultdict(lambda: Decimal(0))
    for index, change in enumerate(growth):
        moment = start + index * STEP
        month = Month.of(moment)
        totals[month] = max(Decimal(0), totals[month] + change)
        points.append(CostPoint(moment, month, "EUR", totals[month]))
    highest = defaultdict(lambda: Decimal(0))
    for point in points:
        highest[point.month] = max(highest[point.month], point.total)
    days = daily_figures(Ledger(costs=points))
    assert all(day.spend >= 0 and day.top_ups == 0 for day in days)
    for month, top in highest.items():
        first = next(point for point in points if point.month == month)
        # only the ledger's first month can open mid-month; its first total is then the baseline
        opens_at_zero = month != points[0].month or attributed_day(first) == month.start.date()
        spent = sum((day.spend for day in days if Month(day.day.year, day.day.month) == month), Decimal(0))
        assert spent == top - (Decimal(0) if opens_at_zero else first.total)
