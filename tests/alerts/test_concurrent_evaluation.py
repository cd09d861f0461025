"""Exactly one event per transition under real concurrency (PostgreSQL, committed database): 8 collectors
on one organisation 100 times while its balance crosses zero, and two evaluators at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import make_test_app
from tests.factories import make_org
from tests.stepping import SteppingProvider
from webapp.alerts.evaluate import evaluate_now
from webapp.collection.rules import collect_organization
from webapp.extensions import db
from webapp.models import AlertEvent
from webapp.models.collection import CollectionKind

COLLECTORS, ROUNDS, SPELL = 8, 100, 10  # the balance changes sign every SPELL rounds


@pytest.fixture
def shared_app(postgres_url, tmp_path):
    app = make_test_app(postgres_url, tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def _in_thread(app, barrier: threading.Barrier, work):
    with app.app_context():
        barrier.wait(timeout=30)
        try:
            return work()
        finally:
            db.session.remove()


def _events(app, organization_id: int) -> list[tuple[str, str, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(AlertEvent.rule, AlertEvent.kind, AlertEvent.episode)
            .where(AlertEvent.organization_id == organization_id)
            .order_by(AlertEvent.id)
        )
        return [tuple(row) for row in rows]


def test_eight_concurrent_collectors_make_one_event_per_transition(shared_app):
    with shared_app.app_context():
        organization_id = make_org().id
        db.session.commit()
    provider = SteppingProvider()

    def collect():
        return collect_organization(CollectionKind.BALANCES, organization_id, provider, trigger="test")

    with ThreadPoolExecutor(COLLECTORS) as pool:
        for round_number in range(ROUNDS):
            sign = -1 if (round_number // SPELL) % 2 else 1
            provider.amount = sign * (Decimal(5) + round_number)
            barrier = threading.Barrier(COLLECTORS)
            futures = [pool.submit(_in_thread, shared_app, barrier, collect) for _ in range(COLLECTORS)]
            for future in futures:
                future.result(timeout=60)
    # spells: positive, negative, … negative (10): 5 negative spells, each resolved but the last
    expected = []
    for episode in range(1, ROUNDS // SPELL // 2 + 1):
        expected += [("overdrawn", "triggered", episode), ("overdrawn", "resolved", episode)]
    expected.pop()
    assert _events(shared_app, organization_id) == expected


def test_two_evaluators_at_the_same_moment_record_one_stale_event(shared_app):
    with shared_app.app_context():
        organization_id = make_org().id
        db.session.commit()
    later = datetime.now(UTC) + timedelta(days=30)
    barrier = threading.Barrier(2)

    def evaluate():
        changes = evaluate_now(organization_id, later)
        db.session.commit()
        return [(change.rule.value, change.kind.value) for change in changes]

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(_in_thread, shared_app, barrier, evaluate) for _ in range(2)]
        made = sorted(tuple(future.result(timeout=60)) for future in results)
    assert made == [(), (("stale", "triggered"),)]
    assert _events(shared_app, organization_id) == [("stale", "triggered", 1)]
