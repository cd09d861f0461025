"""Ledgers written to the database for the read-model tests (through the ORM, as collection writes them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.dashboard_data import line, make_cost
from tests.factories import make_balance, make_org
from webapp.extensions import db
from webapp.models import CollectionState, Organization

START = datetime(2026, 2, 26, 0, tzinfo=UTC)


def make_history(org: Organization | None = None, *, days: int = 6) -> Organization:
    """Every 3 hours over month end: balances that fall (skip-unchanged at night) and a top-up;
    cost snapshots of both months, with a subscription fee, a decrease and per-service lines."""
    org = org or make_org()
    balance, total = 1000, 0
    for step in range(days * 8):
        moment = START + timedelta(hours=3 * step)
        if 8 <= moment.hour < 20 or step == 0:
            balance -= 7
            make_balance(org, f"{balance}.25", at=moment)
        if step == 20:
            balance += 500
            make_balance(org, f"{balance}.25", at=moment + timedelta(minutes=1))
        if moment.day == 1 and moment.hour == 0:
            total = 0
        total += 3 if 8 <= moment.hour < 20 else 0
        if moment.day == 2 and moment.hour == 12:
            total -= 2  # a credit: never negative spend
        lines = [line("compute", f"{total * 2 / 3:.2f}"), line("storage", f"{total / 3:.2f}")]
        make_cost(org, moment.year, moment.month, moment, lines, other_fees=[("subscription", "Plan", "20.00")])
    db.session.add_all(
        [
            CollectionState(
                organization_id=org.id,
                kind="balances",
                last_attempt_at=moment,
                last_success_at=moment,
                consecutive_failures=0,
            ),
            CollectionState(
                organization_id=org.id,
                kind="costs",
                last_attempt_at=moment,
                last_success_at=moment - timedelta(hours=6),
                last_error="provider timeout",
                last_error_at=moment,
                consecutive_failures=2,
            ),
        ]
    )
    db.session.flush()
    return org
