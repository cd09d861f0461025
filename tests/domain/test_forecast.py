"""Forecasts on synthetic series with known answers (webapp/domain/forecast.py, docs/forecasting.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain.forecast import (
    METHOD,
    DayFigure,
    ForecastParams,
    PastMonth,
    forecast_depletion,
    project_month,
    top_ups_after,
)

MONDAY = date(2026, 3, 2)


def figures(spends, *, end_balance, start=MONDAY, top_ups=None, usage=None):
    """Days from `start` with the given spends; closing balances that end at end_balance."""
    top_ups = top_ups or {}
    balance = end_balance + sum(spends) - sum(top_ups.values())
    rows = []
    for index, spend in enumerate(spends):
        day = start + timedelta(days=index)
        balance = balance - spend + top_ups.get(index, Decimal(0))
        rows.append(DayFigure(day, spend, top_ups.get(index, Decimal(0)), balance, usage(day) if usage else None))
    return rows


def test_constant_spend_gives_the_exact_date():
    rows = figures([Decimal(10)] * 28, end_balance=Decimal(100))
    forecast = forecast_depletion(rows, as_of=rows[-1].day, threshold=Decimal(40))
    assert forecast.reason is None and forecast.history_days == 28 and forecast.method
    assert forecast.zero.band.expected == rows[-1].day + timedelta(days=10)  # 100 − 10 × 10 = 0
    assert forecast.threshold.band.expected == rows[-1].day + timedelta(days=6)  # 100 − 60 = 40
    band = forecast.zero.band
    assert band.earliest <= band.expected <= band.latest
    assert (band.latest - band.earliest).days <= 2  # a steady account gets a narrow band


def test_money_that_arrived_after_as_of_is_spent_down_too():
    rows = figures([Decimal(10)] * 29, end_balance=Decimal(100), top_ups={28: Decimal(500)})  # today: a top-up
    as_of = rows[-2].day  # yesterday, the last completed day (closing 100 + 10 − 500 = −390: overdrawn)
    assert rows[-2].closing_balance == Decimal(-390)
    assert top_ups_after(rows, as_of) == Decimal(500) and top_ups_after(rows, rows[-1].day) == 0
    assert forecast_depletion(rows, as_of=as_of).status == "overdrawn"  # without today's money
    forecast = forecast_depletion(rows, as_of=as_of, arrived=top_ups_after(rows, as_of))
    assert forecast.reason is None and forecast.balance == Decimal(110)
    assert forecast.zero.band.expected == as_of + timedelta(days=11)  # today's spend counts as a whole day


def test_money_that_arrived_in_another_currency_does_not_count():
    yesterday, today = MONDAY, MONDAY + timedelta(days=1)
    closed = DayFigure(yesterday, Decimal(10), closing_balance=Decimal(300), balance_currency="EUR")
    same = DayFigure(today, Decimal(10), Decimal(500), Decimal(790), balance_currency="EUR")
    other = DayFigure(today, Decimal(0), Decimal(100_000), Decimal(100_005), balance_currency="USD")
    assert top_ups_after([closed, same], yesterday) == Decimal(500)
    assert top_ups_after([closed, other], yesterday) == 0  # never added to a balance in EUR
    assert top_ups_after([same], yesterday) == 0  # nothing closed on as_of: nothing to add to


def test_weekday_only_spend_is_not_spread_over_the_weekend():
    week = [Decimal(100)] * 5 + [Decimal(0)] * 2
    rows = figures(week * 4, end_balance=Decimal(250))  # 28 days from a Monday: as_of is a Sunday
    forecast = forecast_depletion(rows, as_of=rows[-1].day)
    # Monday 100, Tuesday 100, Wednesday 50 left → reaches zero on Wednesday, not later
    assert forecast.zero.band.expected == rows[-1].day + timedelta(days=3)
    assert forecast.expected_daily_spend == Decimal("71.4286")


def test_month_projection_is_not_overstated_on_monday_nor_understated_on_saturday():
    week = [Decimal(100)] * 5 + [Decimal(0)] * 2
    rows = figures(week * 9, end_balance=Decimal(10_000), start=date(2026, 2, 2))  # Mondays; 2 Mar too
    actual = sum(row.spend for row in rows if row.day.month == 3)
    for as_of in (date(2026, 3, 9), date(2026, 3, 14)):  # a Monday, a Saturday
        projection = project_month(rows, first_day=date(2026, 3, 1), as_of=as_of)
        assert projection.expected == actual == Decimal(2200)
        assert projection.low <= actual <= projection.high
        naive = projection.month_to_date / as_of.day * 31
        assert naive != actual  # the naive baseline errs on both days; the weekday pattern does not


def test_a_single_spike_hardly_moves_the_forecast():
    calm = figures([Decimal(10)] * 28, end_balance=Decimal(300))
    spiked_spends = [Decimal(10)] * 28
    spiked_spends[20] = Decimal(200)
    spiked = figures(spiked_spends, end_balance=Decimal(300))
    calm_date = forecast_depletion(calm, as_of=calm[-1].day).zero.band.expected
    spiked_forecast = forecast_depletion(spiked, as_of=spiked[-1].day)
    assert spiked_forecast.zero.band.expected == calm_date
    assert spiked_forecast.zero.band.earliest < calm_date  # it widens the band, as it should


def test_top_ups_are_not_negative_spend():
    plain = figures([Decimal(10)] * 28, end_balance=Decimal(100))
    topped = figures([Decimal(10)] * 28, end_balance=Decimal(100), top_ups={5: Decimal(500), 19: Decimal(500)})
    assert forecast_depletion(plain, as_of=plain[-1].day).zero == forecast_depletion(topped, as_of=topped[-1].day).zero


def test_below_seven_days_of_history_there_is_no_forecast():
    rows = figures([Decimal(10)] * 6, end_balance=Decimal(100))
    forecast = forecast_depletion(rows, as_of=rows[-1].day)
    assert forecast.zero is None and forecast.reason == "fewer than 7 days of history (6)"
    projection = project_month(rows, first_day=MONDAY, as_of=rows[-1].day)
    assert projection.expected is None and projection.reason == forecast.reason


def test_no_spend_and_overdrawn_are_reasons():
    idle = figures([Decimal(0)] * 14, end_balance=Decimal(100))
    assert forecast_depletion(idle, as_of=idle[-1].day).reason == "no spend in the last 14 days"
    rows = figures([Decimal(10)] * 14, end_balance=Decimal(-25))  # below zero from the 12th day on
    forecast = forecast_depletion(rows, as_of=rows[-1].day)
    assert forecast.reason == f"overdrawn since {rows[11].day.isoformat()}" and forecast.zero is None


def test_later_days_are_never_read():
    rows = figures([Decimal(10)] * 28 + [Decimal(1000)] * 5, end_balance=Decimal(100))
    as_of = rows[27].day
    assert forecast_depletion(rows, as_of=as_of) == forecast_depletion(rows[:28], as_of=as_of)


def test_the_subscription_is_billed_on_each_first_day_not_every_day():
    usage = Decimal(10)
    spends = [usage + (Decimal(100) if (date(2026, 3, 1) + timedelta(days=i)).day == 1 else 0) for i in range(35)]
    rows = figures(spends, end_balance=Decimal(1000), start=date(2026, 3, 1), usage=lambda day: usage)
    april = project_month(rows, first_day=date(2026, 4, 1), as_of=date(2026, 4, 4))
    assert april.expected == Decimal(100) + 30 * usage  # the 1 April fee is in month-to-date
    runs_out = forecast_depletion(rows, as_of=date(2026, 4, 4)).zero.band.expected
    assert runs_out == date(2026, 4, 4) + timedelta(days=80)  # 1000 = 80 days × 10 + the 1 May and 1 June fees


def test_a_closed_month_is_its_actual():
    rows = figures([Decimal(7)] * 40, end_balance=Decimal(100), start=date(2026, 2, 20))
    projection = project_month(rows, first_day=date(2026, 3, 1), as_of=date(2026, 3, 31))
    assert projection.method == "actual" and projection.expected == projection.low == projection.high == 217


@settings(max_examples=60, deadline=None)
@given(
    spends=st.lists(st.decimals(min_value=0, max_value=500, places=2), min_size=7, max_size=60),
    balance=st.decimals(min_value=0, max_value=20_000, places=2),
    threshold=st.one_of(st.none(), st.decimals(min_value=1, max_value=5_000, places=2)),
)
def test_bands_contain_the_expected_date_and_total(spends, balance, threshold):
    rows = figures(spends, end_balance=balance)
    forecast = forecast_depletion(rows, as_of=rows[-1].day, threshold=threshold)
    for crossing in (forecast.zero, forecast.threshold):
        if crossing is not None and crossing.band is not None:
            assert crossing.band.earliest <= crossing.band.expected <= crossing.band.latest
            assert crossing.band.earliest > rows[-1].day
    projection = project_month(rows, first_day=rows[-1].day, as_of=rows[-1].day)
    if projection.expected is not None:
        assert projection.month_to_date <= projection.low <= projection.expected <= projection.high


def _no_reversion(rows, as_of, **kwargs):
    return forecast_depletion(rows, as_of=as_of, params=ForecastParams(long_min_days=10**6), **kwargs)


def test_constant_spend_over_a_long_history_still_gives_the_exact_date():
    rows = figures([Decimal(10)] * 200, end_balance=Decimal(1000))
    forecast = forecast_depletion(rows, as_of=rows[-1].day)
    assert forecast.method == METHOD and forecast.history_days == 200  # the long-run level read them all
    band = forecast.zero.band
    assert band.expected == rows[-1].day + timedelta(days=100)  # long-run level = recent level: no pull
    assert band.earliest < band.expected < band.latest


def test_a_level_higher_long_ago_pulls_a_long_horizon_toward_the_long_run_level():
    rows = figures([Decimal(20)] * 300 + [Decimal(10)] * 60, end_balance=Decimal(2000))
    as_of = rows[-1].day
    recent_only = _no_reversion(rows, as_of).zero.band.expected
    assert recent_only == as_of + timedelta(days=200)  # 2000 at the recent 10 a day
    # the long-run level: (300 × 20 + 60 × 10) / 360 = 18.33 a day, alone 2000 / 18.33 → 110 days
    forecast = forecast_depletion(rows, as_of=as_of)
    reverting = forecast.zero.band
    assert as_of + timedelta(days=110) < reverting.expected < as_of + timedelta(days=150)
    # Σ 10 × (w + (1 − w) × 1.833), w = exp(−h / 60), reaches 2000 on day 134
    assert reverting.expected == as_of + timedelta(days=134)
    assert reverting.earliest <= reverting.expected <= reverting.latest
    assert forecast.expected_daily_spend == Decimal(10)  # the recent pace, as shown today


def test_the_long_run_level_reads_two_years_and_nothing_older():
    """Up to 730 days (ForecastParams.long_window_days): a year at 30 a day before the last year at 10 pulls the
    date in; the same year pushed beyond two years back does not."""
    recent = [Decimal(10)] * 365
    within = figures([Decimal(30)] * 365 + recent, end_balance=Decimal(2000))
    beyond = figures([Decimal(30)] * 100 + [Decimal(10)] * 365 + recent, end_balance=Decimal(2000))
    only_recent = figures(recent, end_balance=Decimal(2000))
    dates = {}
    for name, rows in (("within", within), ("beyond", beyond), ("only recent", only_recent)):
        forecast = forecast_depletion(rows, as_of=rows[-1].day)
        dates[name] = forecast.zero.band.expected - rows[-1].day
        assert forecast.history_days == min(len(rows), 730)
    assert dates["beyond"] == dates["only recent"] == timedelta(days=200)  # the level is 10 throughout the window
    assert dates["within"] < timedelta(days=150)  # (365 × 30 + 365 × 10) / 730 = 20 a day, reverted toward


def test_a_short_horizon_is_essentially_unchanged_by_the_reversion():
    spends = [Decimal(12)] * 300 + [Decimal(10)] * 60  # the long-run level 20 % above the recent one
    for days in (3, 7, 14):
        rows = figures(spends, end_balance=Decimal(10 * days))
        as_of = rows[-1].day
        assert forecast_depletion(rows, as_of=as_of).zero.band.expected == as_of + timedelta(days=days)
        assert _no_reversion(rows, as_of).zero.band.expected == as_of + timedelta(days=days)
    rows = figures(spends, end_balance=Decimal(1000))  # 100 days at the recent pace: pulled earlier
    assert forecast_depletion(rows, as_of=rows[-1].day).zero.band.expected < rows[-1].day + timedelta(days=100)


def test_too_short_a_history_means_no_reversion():
    for long_ago, used in ((61, 28), (62, 90)):  # 89 days of history: none; 90: the reversion
        rows = figures([Decimal(20)] * long_ago + [Decimal(10)] * 28, end_balance=Decimal(2000))
        forecast = forecast_depletion(rows, as_of=rows[-1].day)
        assert forecast.history_days == used
        recent_only = _no_reversion(rows, rows[-1].day).zero.band.expected
        assert (forecast.zero.band.expected == recent_only) == (used == 28)
        assert recent_only == rows[-1].day + timedelta(days=200)


def _months(before: date, count: int, per_day: Decimal) -> list[PastMonth]:
    """`count` closed months before `before`'s month, newest first, each spending `per_day` a day."""
    months, start = [], before.replace(day=1)
    for _ in range(count):
        start = (start - timedelta(days=1)).replace(day=1)
        months.append(PastMonth(start, per_day * PastMonth(start, Decimal(0)).days))
    return months


def test_a_closed_month_counts_toward_the_long_run_level_as_its_days_would():
    """The provider's report of a month before the daily history stands for its days at their mean: the same
    forecast, band and history as with those days as daily figures."""
    daily = figures([Decimal(20)] * 183 + [Decimal(10)] * 100, end_balance=Decimal(2000), start=date(2025, 6, 1))
    recent = daily[183:]  # from 2025-12-01: the months before are June … November 2025 (183 days)
    months = _months(recent[0].day, 6, Decimal(20))
    assert (months[0].first_day, months[-1].first_day, sum(month.days for month in months)) == (
        date(2025, 11, 1),
        date(2025, 6, 1),
        183,
    )
    as_of = daily[-1].day
    with_months = forecast_depletion(recent, as_of=as_of, earlier=months)
    assert with_months == forecast_depletion(daily, as_of=as_of)
    assert with_months.history_days == 283
    alone = forecast_depletion(recent, as_of=as_of)  # 100 days at 10: no pull toward 20
    assert with_months.zero.band.expected < alone.zero.band.expected == as_of + timedelta(days=200)


def test_months_make_a_short_history_revert_and_fill_the_window_to_two_years_at_most():
    rows = figures([Decimal(10)] * 40, end_balance=Decimal(2000))  # 40 days: alone, no reversion (fewer than 90)
    as_of = rows[-1].day
    assert forecast_depletion(rows, as_of=as_of).history_days == 28
    two = forecast_depletion(rows, as_of=as_of, earlier=_months(rows[0].day, 2, Decimal(30)))
    assert two.history_days == 40 + 59 and two.zero.band.expected < as_of + timedelta(days=200)  # Jan + Feb 2026
    every = forecast_depletion(rows, as_of=as_of, earlier=_months(rows[0].day, 30, Decimal(30)))
    assert every.history_days == 730  # the oldest month read is prorated
    nearest = forecast_depletion(rows, as_of=as_of, earlier=_months(rows[0].day, 23, Decimal(30)))  # 699 days
    assert nearest == every  # the 24th month back lies beyond the window


def test_a_month_overlapping_the_daily_history_or_given_twice_is_read_once_or_not_at_all():
    rows = figures([Decimal(10)] * 100, end_balance=Decimal(2000))  # from 2026-03-02
    as_of = rows[-1].day
    february = _months(rows[0].day, 1, Decimal(30))
    march = PastMonth(date(2026, 3, 1), Decimal(9999))  # overlaps the daily rows: not read
    once = forecast_depletion(rows, as_of=as_of, earlier=february)
    assert forecast_depletion(rows, as_of=as_of, earlier=[march, *february, *february]) == once
    assert once.history_days == 128


def test_a_month_of_credits_counts_as_no_spend_not_as_negative_spend():
    """A month whose usage nets out negative (refunds) reads as a month without spend, as a day whose total fell
    does: it can never turn the long-run level negative and the run-out date into "not within 730 days"."""
    rows = figures([Decimal(10)] * 30, end_balance=Decimal(2000))
    as_of = rows[-1].day
    months = _months(rows[0].day, 3, Decimal(10))
    credit = [*months[:2], PastMonth(months[2].first_day, Decimal(-2000))]
    idle = [*months[:2], PastMonth(months[2].first_day, Decimal(0))]
    with_credit = forecast_depletion(rows, as_of=as_of, earlier=credit)
    assert with_credit == forecast_depletion(rows, as_of=as_of, earlier=idle)
    assert with_credit.zero.band is not None and with_credit.zero.band.expected > as_of + timedelta(days=200)
