"""`flask demo-data`: history replayed through the collection rules, idempotent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import make_test_app
from webapp.cli.demo import ensure_demo_logins
from webapp.collection.replay import load_demo_data
from webapp.extensions import db
from webapp.models import (
    BalanceSnapshot,
    CollectionRun,
    CollectionState,
    CostSnapshot,
    Organization,
    OrganizationSummary,
    User,
)
from webapp.providers.demo import DemoProvider
from webapp.read_model.store import differences
from webapp.services.users import assigned_organization_ids

NOW = datetime(2026, 3, 20, 13, 30, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_data_replays_history_by_the_rules_and_is_idempotent(app, tmp_path):
    credentials = tmp_path / "creds.json"
    summary = load_demo_data(orgs=6, days=20, provider=DemoProvider(), now=NOW)
    assert summary.organizations_created == 6
    assert summary.balance_rows == count(BalanceSnapshot) > 0
    assert summary.cost_rows == count(CostSnapshot) > 0

    for org_id in db.session.scalars(select(Organization.id)):
        ledger = list(
            db.session.execute(
                select(BalanceSnapshot.amount, BalanceSnapshot.currency)
                .where(BalanceSnapshot.organization_id == org_id)
                .order_by(BalanceSnapshot.collected_at)
            )
        )
        assert all(a != b for a, b in pairwise(ledger)), "skip-unchanged violated"
        # 20 days of 3-hourly runs: the ledger is much shorter than the number of checks
        assert 0 < len(ledger) < 20 * 8
        state = db.session.get(CollectionState, (org_id, "balances"))
        assert state.last_success_at == datetime(2026, 3, 20, 12, tzinfo=UTC)

    # the read model is written with the replayed snapshots, equal to a recomputation
    assert all(differences(org_id) == [] for org_id in summary.organization_ids)
    assert count(OrganizationSummary) == 6

    # every run once costs accrue: 8 a day per month collected, at 3-hour slots only
    slots = set(db.session.scalars(select(CostSnapshot.collected_at)))
    assert all(slot.hour % 3 == 0 and slot.minute == 0 for slot in slots)

    ensure_demo_logins(summary.organization_ids, credentials)
    logins = json.loads(credentials.read_text())
    assert set(logins) == {"admin@example.com", "manager@example.com"}
    manager = db.session.scalar(select(User).where(User.email == "manager@example.com"))
    assert manager.check_password(logins["manager@example.com"])
    assert 0 < len(assigned_organization_ids(manager.id)) < 6

    before = (count(Organization), count(BalanceSnapshot), count(CostSnapshot), count(User))
    again = load_demo_data(orgs=6, days=20, provider=DemoProvider(), now=NOW)
    assert ensure_demo_logins(again.organization_ids, credentials) == logins
    assert (again.organizations_created, again.balance_rows, again.cost_rows) == (0, 0, 0)
    assert (count(Organization), count(BalanceSnapshot), count(CostSnapshot), count(User)) == before


def test_demo_data_rerun_later_catches_up_without_overlap(app):
    load_demo_data(orgs=3, days=5, provider=DemoProvider(), now=NOW)
    later = NOW + timedelta(days=2)
    load_demo_data(orgs=3, days=5, provider=DemoProvider(), now=later)
    duplicates = db.session.execute(
        select(CostSnapshot.organization_id, CostSnapshot.year, CostSnapshot.month, CostSnapshot.collected_at)
        .group_by(CostSnapshot.organization_id, CostSnapshot.year, CostSnapshot.month, CostSnapshot.collected_at)
        .having(func.count() > 1)
    ).all()
    assert duplicates == []
    assert all(differences(org_id) == [] for org_id in db.session.scalars(select(Organization.id)))
    newest = db.session.scalar(select(func.max(CostSnapshot.collected_at)))
    assert newest == datetime(2026, 3, 22, 12, tzinfo=UTC)


def test_demo_data_refuses_to_run_in_production_unless_forced(app, tmp_path):
    runner = app.test_cli_runner()
    app.config["ENV_NAME"] = "production"
    try:
        refused = runner.invoke(args=["demo-data", "--orgs", "1", "--days", "0"])
        assert refused.exit_code != 0 and "refused with ACCOUNTDESK_ENV=production" in refused.output
        assert count(Organization) == 0
        forced = runner.invoke(args=["demo-data", "--orgs", "1", "--days", "0", "--force"])
        assert forced.exit_code == 0, forced.output
        assert count(Organization) == 1
    finally:
        app.config["ENV_NAME"] = "testing"


def _replayed(url: str, instance, processes: int) -> tuple[list, list, dict]:
    """A demo load into the database at `url` by this many processes: the ledger, the read model's
    differences from a recomputation, and the runs' counters."""
    app = make_test_app(url, instance)
    with app.app_context():
        summary = load_demo_data(orgs=5, days=4, provider=DemoProvider(), now=NOW, processes=processes)
        ledger = db.session.execute(
            select(Organization.provider_account_ref, CostSnapshot.collected_at, CostSnapshot.total)
            .join(Organization, Organization.id == CostSnapshot.organization_id)
            .order_by(
                Organization.provider_account_ref, CostSnapshot.collected_at, CostSnapshot.year, CostSnapshot.month
            )
        ).all()
        assert summary.cost_rows == len(ledger) and summary.balance_rows == count(BalanceSnapshot)
        found = [difference for org_id in summary.organization_ids for difference in differences(org_id)]
        runs = {
            run.kind: (run.written, run.no_costs, run.unchanged, run.failed, run.finished_at is not None)
            for run in db.session.scalars(select(CollectionRun))
        }
        db.session.remove()
        db.engine.dispose()
    return ledger, found, runs


def test_demo_data_in_two_processes_writes_what_one_does(postgres_url, tmp_path):
    two = _replayed(postgres_url, tmp_path / "two", processes=2)
    app = make_test_app(f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one")
    with app.app_context():
        upgrade()
    one = _replayed(f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one", processes=1)
    assert two[0] == one[0] and len(two[0]) > 0
    assert two[1] == [] == one[1]
    assert two[2] == one[2]
    assert two[2]["balances"] == (5, 0, 0, 0, True) and sum(two[2]["costs"][:2]) == 5
