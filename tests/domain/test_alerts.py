"""The alert rules' state machine (SPEC §10): levels, hysteresis and the events a change makes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.domain.alerts import AlertSettings, Level, Reading, Rule, Transition, evaluate, next_level, transition

DEFAULTS = AlertSettings()


def run(rule: Rule, readings: list[Reading], settings: AlertSettings = DEFAULTS) -> list[tuple[Transition, Level]]:
    """The events a sequence of readings makes for one rule."""
    level, events = Level.OK, []
    for reading in readings:
        new = next_level(rule, reading, level, settings)
        kind = transition(level, new)
        if kind is not None:
            events.append((kind, new))
        level = new
    return events


def balances(*amounts: str, threshold: str | None = "100") -> list[Reading]:
    limit = None if threshold is None else Decimal(threshold)
    return [Reading(balance=Decimal(a), threshold=limit) for a in amounts]


def runways(*days: str | None) -> list[Reading]:
    return [Reading(runway_days=None if d is None else Decimal(d)) for d in days]


def test_overdrawn_fires_critical_below_zero_and_resolves_at_zero_whatever_the_threshold():
    events = run(Rule.OVERDRAWN, balances("5", "-0.01", "-50", "0", threshold=None))
    assert events == [(Transition.TRIGGERED, Level.CRITICAL), (Transition.RESOLVED, Level.OK)]


def test_a_balance_wobbling_around_the_threshold_triggers_once_and_resolves_only_past_the_band():
    # threshold 100, band 10 %: resolves at 110 or more, not at 100 to 109.99
    events = run(Rule.LOW_BALANCE, balances("120", "99.99", "100.50", "99", "109.99", "98", "110"))
    assert events == [(Transition.TRIGGERED, Level.WARNING), (Transition.RESOLVED, Level.OK)]


def test_low_balance_without_a_threshold_never_fires():
    assert run(Rule.LOW_BALANCE, balances("-5", "0", threshold=None)) == []


def test_low_balance_band_of_a_negative_threshold_still_lies_above_it():
    # threshold -100 (credit allowed): resolves at -90, not at -95
    events = run(Rule.LOW_BALANCE, balances("-101", "-95", "-90", threshold="-100"))
    assert events == [(Transition.TRIGGERED, Level.WARNING), (Transition.RESOLVED, Level.OK)]


def test_runway_escalates_through_its_levels_and_never_steps_down_until_resolved():
    events = run(Rule.RUNWAY, runways("30", "13", "12", "6.5", "9", "1.5", "5", "15", "16.5"))
    assert events == [
        (Transition.TRIGGERED, Level.WARNING),
        (Transition.ESCALATED, Level.HIGH),
        (Transition.ESCALATED, Level.CRITICAL),
        (Transition.RESOLVED, Level.OK),  # 16.5 > 14 + 2 days' margin; 15 was inside the margin
    ]


def test_runway_jumping_straight_to_two_days_triggers_at_critical():
    assert run(Rule.RUNWAY, runways("40", "1")) == [(Transition.TRIGGERED, Level.CRITICAL)]


def test_runway_without_spend_resolves_and_an_unknown_forecast_holds_the_state():
    unknown = Reading(runway_unknown=True)
    events = run(Rule.RUNWAY, [*runways("5"), unknown, unknown, *runways(None)])
    assert events == [(Transition.TRIGGERED, Level.HIGH), (Transition.RESOLVED, Level.OK)]


def test_collection_failing_fires_at_the_streak_and_resolves_on_a_success():
    streaks = [Reading(failure_streak=n) for n in (1, 2, 3, 4, 1, 2, 0, 2)]
    events = run(Rule.FAILING, streaks)
    assert events == [(Transition.TRIGGERED, Level.WARNING), (Transition.RESOLVED, Level.OK)]


def test_stale_and_anomaly_follow_their_flag():
    assert run(Rule.STALE, [Reading(stale=True), Reading(stale=True), Reading()]) == [
        (Transition.TRIGGERED, Level.WARNING),
        (Transition.RESOLVED, Level.OK),
    ]
    assert run(Rule.ANOMALY, [Reading(anomaly_open=True)]) == [(Transition.TRIGGERED, Level.WARNING)]


def test_evaluate_reports_only_changes_and_skips_muted_rules():
    reading = Reading(balance=Decimal("-1"), threshold=Decimal("10"), stale=True)
    current = {Rule.STALE: Level.WARNING}
    changes = evaluate(reading, current, AlertSettings(muted=frozenset({Rule.LOW_BALANCE})))
    assert changes == {Rule.OVERDRAWN: (Level.CRITICAL, Transition.TRIGGERED)}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"runway_days": (7, 14, 2)},
        {"runway_days": (14, 7, 0)},
        {"low_balance_band": Decimal("-0.1")},
        {"failing_streak": 0},
    ],
)
def test_settings_refuse_nonsense(kwargs):
    with pytest.raises(ValueError):
        AlertSettings(**kwargs)


amount = st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False)
day_counts = st.one_of(st.none(), st.decimals(min_value=0, max_value=60, places=1))


@given(st.lists(st.builds(Reading, balance=amount, threshold=st.just(Decimal(100)), runway_days=day_counts)))
def test_events_alternate_triggered_then_escalations_then_resolved(readings):
    """Whatever the readings: never a second trigger before a resolve, never a resolve while ok, and an
    escalation only ever raises the level."""
    for rule in (Rule.LOW_BALANCE, Rule.RUNWAY, Rule.OVERDRAWN):
        firing, last = False, Level.OK
        for kind, level in run(rule, readings):
            if kind is Transition.TRIGGERED:
                assert not firing
                firing = True
            elif kind is Transition.ESCALATED:
                assert firing and level > last
            else:
                assert firing and level is Level.OK
                firing = False
            last = level
