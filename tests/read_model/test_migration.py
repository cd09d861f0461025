"""Migration 0003 builds the read model for the ledger that exists when it runs (SQLite and PostgreSQL)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

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


def test_upgrade_gives_every_organisation_a_summary_with_its_sort_name(unmigrated_database_url, tmp_path):
    """0013_portfolio_sort_keys: organisations created after 0003 without any collection had no summary row."""
    app = make_test_app(unmigrated_database_url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0012_portfolio_changes")
        orgs = [make_org(name="Never Collected"), make_org(name="ÉCLAIR Ltd")]
        db.session.commit()
        for _round in range(2):  # upgrade, then downgrade to 0012 and upgrade again
            upgrade()
            summary = OrganizationSummary
            stored = dict(db.session.execute(select(summary.organization_id, summary.sort_name)).all())
            names = dict(db.session.execute(select(Organization.id, func.lower(Organization.name))).all())
            assert stored == names and stored[orgs[0].id] == "never collected"
            assert [found for org in orgs for found in differences(org.id)] == []
            db.session.rollback()
            downgrade(revision="0012_portfolio_changes")
        db.session.remove()
        db.engine.dispose()
