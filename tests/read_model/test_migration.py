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
