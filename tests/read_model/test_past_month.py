"""A past month collected by hand once the ledger has begun (`flask collect costs --month 2025-06`) is stored,
but adds no days before the first collection: nothing was known then, and empty days would read as days
without spend to the depletion forecast's long-run level, the anomaly baselines and the charts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from webapp.collection.replay import load_demo_data
from webapp.collection.rules import collect_costs
from webapp.extensions import db
from webapp.models import CostSnapshot, OrganizationDailyFigure, OrganizationSummary
from webapp.providers.demo import DemoProvider
from webapp.read_model.store import differences

NOW = datetime(2026, 3, 20, 13, 30, tzinfo=UTC)
DAILY = OrganizationDailyFigure


def stored(org_id: int) -> tuple[list[tuple], tuple]:
    days = db.session.execute(
        select(DAILY.day, DAILY.spend, DAILY.closing_balance).where(DAILY.organization_id == org_id).order_by(DAILY.day)
    )
    summary = db.session.get(OrganizationSummary, org_id)
    db.session.expire_all()
    forecast = (summary.forecast_status, summary.runs_out_on, summary.forecast_history_days)
    return [tuple(row) for row in days], forecast


def test_a_past_month_collected_later_adds_no_day_and_moves_no_forecast(app):
    org_id = load_demo_data(orgs=1, days=40, provider=DemoProvider(), now=NOW).organization_ids[0]
    days, forecast = stored(org_id)
    assert days[0][0] == date(2026, 2, 8) and forecast[0] == "forecast" and forecast[2] == 28

    collect_costs(org_id, 2025, 6, DemoProvider(), as_of=NOW + timedelta(minutes=5))
    db.session.commit()

    june = (CostSnapshot.organization_id == org_id, CostSnapshot.year == 2025, CostSnapshot.month == 6)
    assert db.session.scalar(select(func.count()).select_from(CostSnapshot).where(*june)) == 1
    assert stored(org_id) == (days, forecast)
    assert differences(org_id) == []
