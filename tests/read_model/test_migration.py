"""Migration 0003 builds the read model for the ledger that exists when it runs (SQLite and PostgreSQL)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, insert, select

from tests.conftest import make_test_app
from tests.factories import make_org
from tests.read_model.ledgers import make_history
from webapp.extensions import db
from webapp.models import Organization, OrganizationDailyFigure, OrganizationSummary
from webapp.read_model.store import differences


def test_upgrade_fills_the_read_model_from_the_existing_ledger(unmigrated_database_url, tmp_path):
    app = make_test_app(unmigrated_database_url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0002_admin")
        orgs = [make_history(), make_history(days=3), make_org()]
        db.session.commit()
        for _round in range(2):  # upgrade, then downgrade to 0002 and upgrade again
            upgrade()
            assert db.session.scalar(select(func.count()).select_from(OrganizationSummary)) == 3
            days = db.session.scalar(
                select(func.count())
                .select_from(OrganizationDailyFigure)
                .where(OrganizationDailyFigure.organization_id == orgs[0].id)
            )
            assert days == 6
            assert [found for org in orgs for found in differences(org.id)] == []
            db.session.rollback()
            downgrade(revision="0002_admin")
        db.session.remove()
        db.engine.dispose()


def test_upgrade_copies_each_summary_its_sort_name(unmigrated_database_url, tmp_path):
    """0013_portfolio_sort_keys: the summaries get lower(name); organisations not yet collected still have none."""
    app = make_test_app(unmigrated_database_url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0012_portfolio_changes")
        orgs = [make_org(name="ÉCLAIR Ltd"), make_org(name="Never Collected")]
        db.session.execute(insert(OrganizationSummary.__table__), [{"organization_id": orgs[0].id}])
        db.session.commit()
        for _round in range(2):  # upgrade, then downgrade to 0012 and upgrade again
            upgrade()
            summary = OrganizationSummary
            stored = dict(db.session.execute(select(summary.organization_id, summary.sort_name)).all())
            name = db.session.scalar(select(func.lower(Organization.name)).where(Organization.id == orgs[0].id))
            assert stored == {orgs[0].id: name}
            assert differences(orgs[0].id) == []
            db.session.rollback()
            downgrade(revision="0012_portfolio_changes")
        db.session.remove()
        db.engine.dispose()


def test_upgrade_to_the_change_base_leaves_bases_to_the_rebase(unmigrated_database_url, tmp_path):
    """0015_portfolio_change_base: existing summaries get no base (the portfolio computes their change, `check` is
    clean); the rebase gives them today's. Down to 0014 and up again, twice."""
    from webapp.domain.week_change import week_ago_day
    from webapp.models.types import utcnow
    from webapp.read_model.change_base import rebase
    from webapp.read_model.store import rebuild

    app = make_test_app(unmigrated_database_url, tmp_path / "instance")
    with app.app_context():
        upgrade()
        org = make_history()
        rebuild(org.id)
        db.session.commit()
        summary = OrganizationSummary
        bases = select(summary.change_base_day, summary.change_base_amount, summary.change_7d)
        for _round in range(2):
            downgrade(revision="0014_portfolio_cost_sort")
            upgrade()
            assert db.session.execute(bases).all() == [(None, None, None)]
            assert differences(org.id) == []
            db.session.rollback()
            assert rebase(utcnow()) == 1
            day, amount, change = db.session.execute(bases).one()
            assert day == week_ago_day(utcnow()) and amount is not None and change == 0  # the ledger ended long ago
            assert differences(org.id) == []
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
