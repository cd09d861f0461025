"""The depletion forecast on the summary: derived from the completed days, stored by rebuild and kept
by the collection write path (read_model.refresh) equal to a rebuild, including a reused forecast
during the day and an overdrawn run longer than refresh's window."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from tests.factories import make_org
from tests.read_model.simulated import Provider, SimulatedAccount
from webapp.collection.rules import collect_balance, collect_costs, default_cost_months
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import OrganizationSummary
from webapp.read_model.daily import daily_figures
from webapp.read_model.ledger import BalancePoint, CostPoint, Ledger
from webapp.read_model.store import differences, rebuild
from webapp.read_model.summary import summarize

START = datetime(2026, 3, 1, 6, tzinfo=UTC)  # a month's first day: its first cost snapshot counts wholly


def constant_ledger(days: int, *, balance: str = "1000", daily: str = "10") -> Ledger:
    """A balance snapshot and a cost snapshot at 06:00 each day: the balance falls by `daily` a day."""
    balances, costs = [], []
    for index in range(days):
        moment = START + timedelta(days=index)
        amount = Decimal(balance) - Decimal(daily) * index
        balances.append(BalancePoint(moment, amount, "EUR"))
        month = Month.of(moment)
        spent = Decimal(daily) * moment.day
        costs.append(CostPoint(moment, month, "EUR", spent, {"compute": spent}))
    return Ledger(balances=balances, costs=costs, states=[])


def summary_of(ledger: Ledger):
    return summarize(ledger, daily_figures(ledger))


def test_constant_spend_runs_out_on_the_exact_day_with_a_band_around_it():
    ledger = constant_ledger(20)
    summary = summary_of(ledger)
    as_of_day = (START + timedelta(days=18)).date()  # the last completed day before the 20th snapshot's day
    assert summary.forecast_as_of == as_of_day
    assert summary.forecast_status == "forecast" and summary.forecast_reason is None
    assert summary.forecast_method == "weekday-median-28d-revert-730d" and summary.forecast_history_days == 19
    closing = Decimal(1000) - 10 * 18
    assert summary.runs_out_on == as_of_day + timedelta(days=int(closing / 10))
    assert summary.runs_out_earliest < summary.runs_out_on < summary.runs_out_latest


def test_fewer_than_seven_completed_days_gives_the_reason():
    summary = summary_of(constant_ledger(6))
    assert summary.forecast_status == "short_history"
    assert summary.forecast_reason == "fewer than 7 days of history (5)"
    assert summary.runs_out_on is None


def test_no_spend_and_an_overdrawn_balance_give_their_reasons():
    idle = summary_of(constant_ledger(12, daily="0"))
    assert (idle.forecast_status, idle.forecast_reason) == ("no_spend", "no spend in the last 11 days")
    overdrawn = summary_of(constant_ledger(12, balance="50", daily="10"))
    assert overdrawn.forecast_status == "overdrawn"
    assert overdrawn.forecast_reason == f"overdrawn since {(START + timedelta(days=6)).date().isoformat()}"
    assert overdrawn.runs_out_on is None


def test_an_empty_ledger_has_no_forecast():
    summary = summarize(Ledger([], [], []), [])
    assert summary.forecast_as_of is None and summary.forecast_status is None


def _collect(org_id: int, account: SimulatedAccount, moments: Iterable[datetime], daily: Decimal) -> None:
    provider = Provider(account)
    for moment in moments:
        if moment.hour == 6:
            account.balance -= daily
            month = Month.of(moment)
            account.totals[month] = account.totals.get(month, Decimal(0)) + daily
        collect_balance(org_id, provider, as_of=moment)
        for year, month_number in default_cost_months(moment):
            collect_costs(org_id, year, month_number, provider, as_of=moment)
        assert differences(org_id) == [], moment


def _stored(org_id: int) -> OrganizationSummary:
    db.session.expire_all()
    row = db.session.scalar(select(OrganizationSummary).where(OrganizationSummary.organization_id == org_id))
    assert row is not None
    return row


def test_collections_keep_the_forecast_equal_to_a_rebuild_through_a_long_overdrawn_run(app):
    org = make_org()
    account = SimulatedAccount(balance=Decimal(300))
    daily_moments = [START + timedelta(days=index) for index in range(75)]
    # two collections a day: 06:00 (spend moves) and 18:00 (the forecast is reused, nothing moved)
    moments = [moment + timedelta(hours=hours) for moment in daily_moments for hours in (0, 12)]
    _collect(org.id, account, moments[:30], Decimal(10))
    running = _stored(org.id)
    assert running.forecast_status == "forecast" and running.runs_out_on is not None
    _collect(org.id, account, moments[30:], Decimal(10))  # below zero from day 30 on: 45 days overdrawn
    stored = _stored(org.id)
    assert stored.forecast_status == "overdrawn"
    assert stored.forecast_reason == f"overdrawn since {date(2026, 3, 31).isoformat()}"
    rebuild(org.id)
    assert _stored(org.id).forecast_reason == stored.forecast_reason


def test_collections_keep_a_reverting_forecast_equal_to_a_rebuild(app):
    org = make_org()
    account = SimulatedAccount(balance=Decimal(5000))
    moments = [START + timedelta(days=index, hours=hours) for index in range(130) for hours in (0, 12)]
    _collect(org.id, account, moments[:200], Decimal(20))  # 100 days at 20, then 30 at 10: the long-run
    _collect(org.id, account, moments[200:], Decimal(10))  # level (over more than refresh's window) is higher
    stored = _stored(org.id)
    assert stored.forecast_status == "forecast" and stored.forecast_history_days == 129
    recent_pace = stored.forecast_as_of + timedelta(days=int(account.balance / 10))
    assert stored.runs_out_on < recent_pace  # pulled toward the long-run level
    rebuild(org.id)
    assert _stored(org.id).runs_out_on == stored.runs_out_on


def test_a_top_up_moves_the_stored_forecast_the_same_day_as_the_next_day_confirms(app):
    org = make_org()
    account = SimulatedAccount(balance=Decimal(60))
    moments = [START + timedelta(days=index, hours=hours) for index in range(21) for hours in (0, 12)]
    _collect(org.id, account, moments[:-1], Decimal(10))  # the last: day 20 at 06:00, overdrawn since day 6
    assert _stored(org.id).forecast_status == "overdrawn"
    account.balance += Decimal(1000)  # a top-up lands after day 20's 06:00 collection; a balance check sees it
    collect_balance(org.id, Provider(account), as_of=START + timedelta(days=20, hours=2))
    assert differences(org.id) == []  # (a cost check would recompute the forecast from the month's start anyway)
    topped = _stored(org.id)
    as_of, runs_out_on = topped.forecast_as_of, topped.runs_out_on
    closing = Decimal(60) - 10 * 20  # day 19's closing balance, the forecast's start before today's money
    assert as_of == (START + timedelta(days=19)).date() and topped.forecast_status == "forecast"
    assert runs_out_on == as_of + timedelta(days=int((closing + 1000) / 10))
    _collect(org.id, account, moments[-1:], Decimal(10))  # 18:00 the same day: the top-up still counts
    assert _stored(org.id).runs_out_on == runs_out_on
    _collect(org.id, account, [START + timedelta(days=21)], Decimal(10))  # the next day's first collection
    confirmed = _stored(org.id)
    assert confirmed.forecast_as_of == as_of + timedelta(days=1) and confirmed.runs_out_on == runs_out_on


def test_a_top_up_then_another_currency_the_same_day_stays_equal_to_a_rebuild(app):
    org = make_org()
    account = SimulatedAccount(balance=Decimal(500))
    moments = [START + timedelta(days=index, hours=hours) for index in range(21) for hours in (0, 12)]
    _collect(org.id, account, moments[:-1], Decimal(10))  # the last: day 20 at 06:00
    plain = _stored(org.id).runs_out_on
    account.balance += Decimal(1000)
    collect_balance(org.id, Provider(account), as_of=START + timedelta(days=20, hours=2))
    assert differences(org.id) == [] and _stored(org.id).runs_out_on > plain  # the top-up counts
    account.currency = "USD"  # later the same day the balance reads in another currency
    collect_balance(org.id, Provider(account), as_of=START + timedelta(days=20, hours=4))
    assert differences(org.id) == []  # the top-up in EUR no longer counts, here as in a rebuild
    assert _stored(org.id).runs_out_on == plain
