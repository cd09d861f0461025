"""The provider's closed months before the ledger began: an organisation's first cost collection also fetches up to
two years of them (rules.history_months), they add no day before the first collection (nothing was known then, and
empty days would read as days without spend to the long-run level, the anomaly baselines and the charts), and the
depletion forecast's long-run level reads them, the same way in a rebuild (from the ledger in memory) and in the
write path, the organisation page and the API (by one query)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from tests.dashboard_data import line, make_cost
from tests.factories import make_org
from webapp.collection.replay import load_demo_data
from webapp.collection.rules import collect_costs, run_collection
from webapp.domain.spend_model import PastMonth
from webapp.extensions import db
from webapp.models import CostSnapshot, OrganizationDailyFigure, OrganizationSummary
from webapp.models.collection import CollectionKind
from webapp.providers.demo import DemoProvider
from webapp.queries.forecasts import depletion_forecast, past_months
from webapp.read_model.daily import DailyFigures
from webapp.read_model.forecast import ledger_months
from webapp.read_model.store import differences, load_ledger

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


def months_collected(org_id: int) -> dict[tuple[int, int], int]:
    rows = db.session.execute(
        select(CostSnapshot.year, CostSnapshot.month, func.count())
        .where(CostSnapshot.organization_id == org_id)
        .group_by(CostSnapshot.year, CostSnapshot.month)
    )
    return {(year, month): count for year, month, count in rows}


def test_the_first_collection_fetches_two_years_of_months_which_add_no_day_and_feed_the_forecast(app):
    org_id = load_demo_data(orgs=1, days=40, provider=DemoProvider(), now=NOW).organization_ids[0]
    collected = months_collected(org_id)
    history = [key for key in sorted(collected) if key < (2026, 2)]
    assert history[0] == (2024, 2) and history[-1] == (2026, 1) and len(history) == 24  # once each, at the start
    assert {collected[key] for key in history} == {1}
    days, forecast = stored(org_id)
    assert days[0][0] == date(2026, 2, 8) and len(days) == 41  # from the first collection's day only
    assert forecast[0] == "forecast" and forecast[2] == 730  # 40 completed days and 690 of the months'
    assert differences(org_id) == []
    page = depletion_forecast(org_id, today=NOW.date(), threshold=None)  # the organisation page reads them too
    assert (page.history_days, page.zero.band.expected) == (730, forecast[1])

    collect_costs(org_id, 2025, 6, DemoProvider(), as_of=NOW + timedelta(minutes=5))  # again, by hand
    db.session.commit()
    assert months_collected(org_id)[(2025, 6)] == 2
    assert stored(org_id) == (days, forecast)  # the same report: nothing moves
    assert differences(org_id) == []

    run_collection(CollectionKind.COSTS, DemoProvider(), organization_ids=[org_id], as_of=NOW + timedelta(days=1))
    db.session.commit()  # the next day's first write recomputes the forecast by the write path's query
    assert months_collected(org_id)[(2025, 6)] == 2  # no second history: only the first collection asks
    assert stored(org_id)[1][0] == "forecast" and differences(org_id) == []


def legacy(org_id: int, year: int, month: int, at: datetime, total: str, lines: list[dict]) -> None:
    """A snapshot kept from before validation tightened, with lines whose amounts are not sane numbers."""
    values = {"organization_id": org_id, "year": year, "month": month, "collected_at": at, "currency": "EUR"}
    db.session.execute(insert(CostSnapshot).values(**values, total=Decimal(total), fees=[], usage_lines=lines))


def test_the_query_and_the_ledger_read_the_same_months(app):
    """Each month's latest snapshot, in the balance's currency, at most 24 months before the first daily row's
    month and none overlapping it; usage (the lines that count), else the total."""
    org = make_org()
    first_row = date(2026, 3, 10)
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    make_cost(org, 2026, 2, at, [line("compute", "280.00")], other_fees=[("subscription", "Plan", "20.00")])
    make_cost(org, 2026, 2, at + timedelta(hours=3), [line("compute", "290.00")])  # the latest: read
    legacy(org.id, 2026, 1, at, "12.50", [line("compute", "bogus"), line("db", "12.5")])  # the sane line counts
    legacy(org.id, 2025, 12, at, "40.00", [{"service": "compute", "amount": None}])  # no line counts: the total
    make_cost(org, 2025, 11, at, [line("compute", "99.00")], currency="USD")  # another currency: not read
    make_cost(org, 2024, 3, at, [line("compute", "31.00")])  # 24 months back: read
    make_cost(org, 2024, 2, at, [line("compute", "29.00")])  # 25 months back: not read
    make_cost(org, 2026, 3, at, [line("compute", "50.00")])  # the first row's month: not read
    db.session.commit()
    expected = [
        PastMonth(date(2026, 2, 1), Decimal("290.00")),
        PastMonth(date(2026, 1, 1), Decimal("12.5")),
        PastMonth(date(2025, 12, 1), Decimal("40.00")),
        PastMonth(date(2024, 3, 1), Decimal("31.00")),
    ]
    assert past_months(org.id, before=first_row, currency="EUR") == expected
    days = [DailyFigures(first_row, Decimal(100), "EUR", Decimal(0), Decimal(0), "EUR")]
    from_ledger = ledger_months(load_ledger(db.session, org.id).costs, days, first_row)
    assert from_ledger == expected
    assert past_months(org.id, before=first_row, currency=None) == []


def test_the_history_fetched_later_adds_no_day_and_the_write_path_reforecasts(app):
    """An organisation collected before the first collection asked for history (`flask collect costs --history`):
    the months change no daily row, so the write path refreshes from their own day, and recomputes the forecast,
    which now reads them, as a rebuild does."""
    org_id = make_org(provider_account_ref="demo-0007").id
    db.session.commit()
    start = datetime(2026, 3, 2, 12, tzinfo=UTC)
    for day in range(12):
        at = start + timedelta(days=day)
        run_collection(CollectionKind.BALANCES, DemoProvider(), organization_ids=[org_id], as_of=at)
        run_collection(CollectionKind.COSTS, DemoProvider(), organization_ids=[org_id], months=[(2026, 3)], as_of=at)
    days, forecast = stored(org_id)
    assert len(days) == 12 and forecast[0] == "forecast" and forecast[2] == 11  # the completed days only
    assert sorted(months_collected(org_id)) == [(2026, 3)]

    at = start + timedelta(days=11, hours=1)
    run = run_collection(CollectionKind.COSTS, DemoProvider(), organization_ids=[org_id], history=True, as_of=at)
    assert (run.written, run.failed) == (24, 0)  # the 24 months before the ledger's: 2024-03 … 2026-02
    after, reforecast = stored(org_id)
    assert after == days and reforecast[2] == 730 and reforecast[1] != forecast[1]
    assert differences(org_id) == []
