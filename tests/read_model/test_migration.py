"""Migration 0003 builds the read model for the ledger that exists when it runs (SQLite and PostgreSQL)."""

from __future__ import annotations

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from tests.conftest import PG_HINT, ScratchPostgres, make_test_app, require_service
from tests.factories import make_org
from tests.read_model.ledgers import make_history
from webapp.extensions import db
from webapp.models import OrganizationDailyFigure, OrganizationSummary
from webapp.read_model.store import differences

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def scratch_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    if not os.environ.get("TEST_DATABASE_URL"):
        require_service("TEST_DATABASE_URL", PG_HINT)
    scratch = ScratchPostgres()
    try:
        yield scratch.create()
    finally:
        scratch.drop()


def test_upgrade_fills_the_read_model_from_the_existing_ledger(scratch_url, tmp_path):
    app = make_test_app(scratch_url, tmp_path / "instance")
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
