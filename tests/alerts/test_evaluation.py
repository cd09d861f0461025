"""Alert evaluation in the collection write path (SPEC §10), on both backends: only transitions make
events, each exactly once, and the events are append-only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.alerts.scripted import HOURS, T0, collect
from tests.factories import make_org
from webapp.alerts.evaluate import evaluate_now
from webapp.database import AppendOnlyViolation
from webapp.extensions import db
from webapp.models import AlertEvent, AlertState
from webapp.providers import ProviderError


def events(org, rule: str | None = None) -> list[tuple[str, str, int, int]]:
    query = select(AlertEvent.rule, AlertEvent.kind, AlertEvent.level, AlertEvent.episode).where(
        AlertEvent.organization_id == org.id
    )
    if rule is not None:
        query = query.where(AlertEvent.rule == rule)
    return [tuple(row) for row in db.session.execute(query.order_by(AlertEvent.id))]


def test_an_overdrawn_balance_triggers_once_and_resolves_after_a_top_up(app):
    org = make_org()
    collect(org, "10.00", "-5.00", "-7.50", "-7.50", "20.00")
    assert events(org, "overdrawn") == [("overdrawn", "triggered", 3, 1), ("overdrawn", "resolved", 0, 1)]
    state = db.session.get(AlertState, (org.id, "overdrawn"))
    assert (state.level, state.episode, state.figures["balance"]) == (0, 1, "20.00")


def test_a_wobbling_low_balance_makes_one_episode_and_a_second_one_after_it_resolved(app):
    org = make_org(low_balance_threshold=Decimal("100"))
    collect(org, "150", "99", "101", "98", "109", "111", "90")
    assert events(org, "low_balance") == [
        ("low_balance", "triggered", 1, 1),
        ("low_balance", "resolved", 0, 1),
        ("low_balance", "triggered", 1, 2),
    ]


def test_three_consecutive_failures_fire_collection_failing_and_a_success_resolves_it(app):
    org = make_org()
    down = ProviderError("provider down")
    collect(org, "50", down, down, down, down, "50")
    assert events(org, "failing") == [("failing", "triggered", 1, 1), ("failing", "resolved", 0, 1)]


def test_stale_data_is_found_by_a_scheduled_evaluation_and_a_repeat_adds_nothing(app):
    org = make_org()
    collect(org, "50")
    later = T0 + timedelta(hours=3 * app.config["COLLECT_INTERVAL_HOURS"])
    assert [(c.rule.value, c.kind.value) for c in evaluate_now(org.id, later)] == [("stale", "triggered")]
    assert evaluate_now(org.id, later + HOURS) == []
    assert events(org, "stale") == [("stale", "triggered", 1, 1)]


def test_a_replayed_transition_is_refused_by_the_unique_constraint(app):
    """A retried evaluation that saw the old state (as a duplicate job would) records nothing more."""
    org = make_org()
    collect(org, "-1")
    state = db.session.get(AlertState, (org.id, "overdrawn"))
    state.level, state.episode = 0, 0  # as if this evaluation had not seen the first one's write
    db.session.flush()
    changes = evaluate_now(org.id, T0 + HOURS)
    assert [(c.kind.value, c.event_id) for c in changes if c.rule.value == "overdrawn"] == [("triggered", None)]
    assert events(org, "overdrawn") == [("overdrawn", "triggered", 3, 1)]


@pytest.mark.parametrize("statement", ["UPDATE alert_events SET kind = 'resolved'", "DELETE FROM alert_events"])
def test_alert_events_are_append_only_in_the_database(app, backend, statement):
    if backend != "postgresql":
        pytest.skip("triggers exist on PostgreSQL only")
    org = make_org()
    collect(org, "-1")
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    nested.rollback()
    assert events(org) == [("overdrawn", "triggered", 3, 1)]


def test_alert_events_are_append_only_in_the_orm(app):
    org = make_org()
    collect(org, "-1")
    event = db.session.scalars(select(AlertEvent).where(AlertEvent.organization_id == org.id)).one()
    event.kind = "resolved"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
