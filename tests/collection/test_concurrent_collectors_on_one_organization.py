"""Real concurrency: 8 collectors (the job's one-transaction path) on one organisation at once, 100 times,
against a committed database; the read model stays equal to a recomputation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import make_test_app
from tests.factories import make_org
from tests.stepping import SteppingProvider
from webapp.collection.rules import collect_organization
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionState
from webapp.models.collection import OUTCOMES, CollectionKind
from webapp.read_model.store import differences

COLLECTORS, ROUNDS = 8, 100


@pytest.fixture(params=["postgresql", "sqlite"])
def shared_app(request, tmp_path):
    """An app on a committed database that many threads (each its own session) can share."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        app = make_test_app(url, tmp_path)
    else:
        app = make_test_app(f"sqlite:///{tmp_path / 'shared.db'}", tmp_path)
        with app.app_context():
            upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _collector(app, organization_id: int, provider, barrier: threading.Barrier) -> str:
    with app.app_context():
        barrier.wait(timeout=30)
        try:
            run = collect_organization(CollectionKind.BALANCES, organization_id, provider, trigger="test")
            return next(outcome for outcome in OUTCOMES if getattr(run, outcome))
        finally:
            db.session.remove()


def test_eight_concurrent_collectors_write_one_row_per_real_change(shared_app):
    with shared_app.app_context():
        organization_id = make_org().id
        db.session.commit()
    provider = SteppingProvider()
    expected: list[Decimal] = []
    with ThreadPoolExecutor(COLLECTORS) as pool:
        for round_number in range(ROUNDS):
            provider.amount = Decimal(round_number // 2) * Decimal("1.25")  # moves every other round
            if not expected or expected[-1] != provider.amount:
                expected.append(provider.amount)
            barrier = threading.Barrier(COLLECTORS)
            futures = [pool.submit(_collector, shared_app, organization_id, provider, barrier) for _ in range(8)]
            outcomes = sorted(f.result(timeout=60) for f in futures)
            wrote = 1 if expected[-1] == provider.amount and round_number % 2 == 0 else 0
            assert outcomes.count("written") == wrote, (round_number, outcomes)
            assert outcomes.count("unchanged") == COLLECTORS - wrote
    with shared_app.app_context():
        rows = db.session.scalars(
            select(BalanceSnapshot.amount)
            .where(BalanceSnapshot.organization_id == organization_id)
            .order_by(BalanceSnapshot.collected_at)
        ).all()
        state = db.session.get(CollectionState, (organization_id, "balances"))
        assert rows == expected and len(rows) == ROUNDS // 2
        assert state.consecutive_failures == 0 and state.last_success_at is not None
        assert differences(organization_id) == []  # the read model kept under the organisation's lock
