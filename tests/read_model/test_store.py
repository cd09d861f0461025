"""Rebuild then check is clean on SQLite and PostgreSQL; a tampered row is reported, by `check` too."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from tests.factories import make_org
from tests.read_model.ledgers import make_history
from webapp.extensions import db
from webapp.models import OrganizationDailyFigure, OrganizationSummary
from webapp.read_model.store import differences, rebuild


def test_rebuild_then_check_is_clean_and_idempotent(app):
    org = make_history()
    rebuild(org.id)
    assert differences(org.id) == []
    rebuild(org.id)
    assert differences(org.id) == []
    summary = db.session.get(OrganizationSummary, org.id)
    assert summary.balance_currency == "EUR" and summary.failure_streak == 2
    assert summary.last_failure_reason == "provider timeout" and summary.checked_at is not None
    assert (summary.mtd_year, summary.mtd_month) == (2026, 3)
    days = db.session.scalars(
        select(OrganizationDailyFigure).where(OrganizationDailyFigure.organization_id == org.id)
    ).all()
    assert len(days) == 6
    assert sum(day.top_ups for day in days) == Decimal(500)
    assert all(day.spend >= 0 for day in days)
    assert set(days[0].spend_by_service) == {"compute", "storage"}


def test_an_organisation_without_a_ledger_has_an_empty_summary(app):
    org = make_org()
    rebuild(org.id)
    assert differences(org.id) == []
    assert db.session.get(OrganizationSummary, org.id).as_of is None


def test_a_tampered_or_missing_row_is_reported(app):
    org = make_history()
    rebuild(org.id)
    db.session.execute(
        update(OrganizationDailyFigure)
        .where(OrganizationDailyFigure.organization_id == org.id)
        .values(spend=Decimal("123.45"))
    )
    db.session.execute(
        update(OrganizationSummary).where(OrganizationSummary.organization_id == org.id).values(balance_amount=None)
    )
    found = differences(org.id)
    assert {(d.table, d.column) for d in found} == {
        ("organization_daily_figures", "spend"),
        ("organization_summaries", "balance_amount"),
    }
    assert any(d.stored == "123.45" for d in found)
    first_day = db.session.scalar(select(func.min(OrganizationDailyFigure.day)))
    db.session.execute(delete(OrganizationDailyFigure).where(OrganizationDailyFigure.day == first_day))
    assert any(d.column == "(row)" and d.stored == "missing" for d in differences(org.id))


def test_a_summary_whose_name_copy_drifted_is_reported_and_rebuilt(app):
    """sort_name (what the portfolio sorts and searches on) is the organisation's lower(name), kept by triggers:
    a copy that drifted (say, rows restored with the triggers off) is a difference, and rebuild mends it."""
    org = make_history()
    org.name = "Straße ÉCOLE Labs"
    rebuild(org.id)
    assert differences(org.id) == []
    db.session.execute(
        update(OrganizationSummary).where(OrganizationSummary.organization_id == org.id).values(sort_name="old name")
    )
    assert [(d.column, d.stored) for d in differences(org.id)] == [("sort_name", "old name")]
    rebuild(org.id)
    assert differences(org.id) == []


def test_cli_rebuild_check_and_a_tampered_row(app):
    runner = app.test_cli_runner()
    orgs = [make_history(), make_history(days=2), make_org()]
    db.session.commit()
    rebuilt = runner.invoke(args=["summaries", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Rebuilt the read model of" in rebuilt.output
    clean = runner.invoke(args=["summaries", "check", "--json"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output)["differences"] == []
    db.session.execute(
        update(OrganizationSummary)
        .where(OrganizationSummary.organization_id == orgs[1].id)
        .values(mtd_total=Decimal("1.00"))
    )
    db.session.commit()
    dirty = runner.invoke(args=["summaries", "check"])
    assert dirty.exit_code == 1
    assert f"organisation {orgs[1].id}: organization_summaries mtd_total: stored 1.00" in dirty.output
    remedy = "`flask summaries rebuild` (or with --org ID) recomputes them from the ledger."
    assert dirty.output.splitlines()[-1] == remedy
    listed = json.loads(runner.invoke(args=["summaries", "check", "--json", "--org", str(orgs[1].id)]).output)
    assert [d["column"] for d in listed["differences"]] == ["mtd_total"]
    again = runner.invoke(args=["summaries", "rebuild", "--org", str(orgs[1].id), "--quiet"])
    assert again.exit_code == 0 and again.output == ""
    assert runner.invoke(args=["summaries", "check"]).exit_code == 0


def test_cli_names_a_missing_organisation_without_a_traceback(app):
    runner = app.test_cli_runner()
    for command in ("rebuild", "check"):
        result = runner.invoke(args=["summaries", command, "--org", "987654"])
        assert result.exit_code == 1
        assert "organisation 987654 does not exist" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
