"""Spend anomaly episodes on synthetic usage series with known answers (webapp/domain/anomalies.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain.anomalies import (
    AnomalyParams,
    UsageDay,
    anomalous_days,
    baselines,
    find_all_episodes,
    find_episodes,
    is_anomalous,
)

START = date(2026, 3, 1)


def usage(days, *, spikes=None, operators=False):
    """`days` days of Compute 40 + Storage 10 (wobbling ±2); spikes: {index: {service: amount}}."""
    spikes = spikes or {}
    series = []
    for index in range(days):
        services = {"Compute": Decimal(40 + index % 3 - 1), "Storage": Decimal(10)}
        services.update(spikes.get(index, {}))
        by_operator = {"Ana": services["Compute"], "Jonas": services["Storage"]} if operators else {}
        series.append(UsageDay(START + timedelta(days=index), services, by_operator))
    return series


def test_a_spike_past_every_threshold_opens_an_episode_with_its_drivers():
    series = usage(30, spikes={29: {"Compute": Decimal(160)}}, operators=True)
    [episode] = find_episodes(series, as_of=series[-1].day)
    assert (episode.start, episode.end, episode.days) == (series[29].day, series[29].day, 1)
    assert episode.expected == Decimal(50) and episode.actual == Decimal(170)
    assert episode.closed_on is None  # seven quiet days have not passed yet
    assert [driver.name for driver in episode.top_services] == ["Compute"]
    assert episode.top_services[0].excess == Decimal(120)
    assert [driver.name for driver in episode.top_operators] == ["Ana"]


def test_a_spike_that_misses_one_threshold_opens_nothing():
    small = usage(30, spikes={29: {"Compute": Decimal(60)}})  # +20: below the 25 minimum excess
    assert find_episodes(small, as_of=small[-1].day) == []
    steady = [UsageDay(START + timedelta(days=i), {"Compute": Decimal(99 + i % 3)}) for i in range(29)]
    ratio = [*steady, UsageDay(START + timedelta(days=29), {"Compute": Decimal(140)})]  # +40, but only +40 %
    assert find_episodes(ratio, as_of=ratio[-1].day) == []
    lenient = AnomalyParams(min_ratio=Decimal("1.2"))
    assert len(find_episodes(ratio, as_of=ratio[-1].day, params=lenient)) == 1  # the defaults are parameters


def test_noisy_history_raises_the_bar():
    noisy = []
    for index in range(30):  # Compute swings 10 ↔ 90 (median 50, MAD 40): 130 is within its noise
        amount = Decimal(130) if index == 29 else Decimal(10 if index % 2 else 90)
        noisy.append(UsageDay(START + timedelta(days=index), {"Compute": amount}))
    assert find_episodes(noisy, as_of=noisy[-1].day) == []


def test_fewer_than_14_days_of_history_open_nothing():
    series = usage(14, spikes={13: {"Compute": Decimal(400)}})  # the spike day has 13 days before it
    assert find_episodes(series, as_of=series[-1].day) == []
    series = usage(15, spikes={14: {"Compute": Decimal(400)}})
    assert len(find_episodes(series, as_of=series[-1].day)) == 1


def test_consecutive_days_extend_an_episode_that_closes_after_seven_quiet_days():
    spikes = {20: {"Compute": Decimal(200)}, 21: {"Compute": Decimal(220)}, 25: {"Compute": Decimal(200)}}
    series = usage(40, spikes=spikes)
    [episode] = find_episodes(series, as_of=series[-1].day)
    assert (episode.start, episode.end, episode.days) == (series[20].day, series[25].day, 3)
    assert episode.closed_on == series[25].day + timedelta(days=7)
    later = usage(40, spikes=spikes | {33: {"Compute": Decimal(300)}})  # 8 days after: a new episode
    assert [e.start for e in find_episodes(later, as_of=later[-1].day)] == [series[20].day, series[33].day]


def test_services_have_their_own_episodes_and_fees_are_not_usage():
    series = usage(30, spikes={29: {"Storage": Decimal(45)}})  # +35 on Storage: 86 against 50 for the org
    episodes = find_all_episodes(series, as_of=series[-1].day)
    assert [(e.scope, e.start) for e in episodes] == [(None, series[29].day), ("Storage", series[29].day)]
    storage = episodes[1]
    assert storage.expected == Decimal(10) and storage.actual == Decimal(45) and storage.top_services == ()


def test_a_subscription_billed_on_the_first_day_never_opens_an_episode():
    figures = []  # (day, spend, spend_by_service) as the read model's daily figures hold them
    for index in range(45):  # 1 March … 14 April: a 500.00 subscription on 1 April
        day = START + timedelta(days=index)
        figures.append((day, Decimal("50.00") + (500 if day.day == 1 else 0), {"Compute": "40.00", "Storage": "10.00"}))
    series = [UsageDay.from_figures(day, by_service) for day, _spend, by_service in figures]
    assert find_all_episodes(series, as_of=figures[-1][0]) == []
    assert series[31].total == Decimal(50) != figures[31][1]  # 1 April: the fee is spend, not usage


def test_later_days_are_not_read():
    series = usage(30, spikes={29: {"Compute": Decimal(160)}})
    assert find_episodes(series, as_of=series[28].day) == []  # the spike day is in the future


def test_missing_days_count_as_no_usage():
    gappy = [day for index, day in enumerate(usage(30)) if not 1 <= index <= 14]  # a fortnight without rows
    [episode] = find_episodes(gappy, as_of=gappy[-1].day)
    assert episode.start == gappy[1].day  # usage resuming after two idle weeks stands out against zero


@settings(max_examples=60, deadline=None)
@given(amounts=st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=1, max_size=60))
def test_episodes_are_ordered_and_consistent(amounts):
    series = [UsageDay(START + timedelta(days=i), {"Compute": amount}) for i, amount in enumerate(amounts)]
    params = AnomalyParams()
    episodes = find_episodes(series, as_of=series[-1].day, params=params)
    for episode in episodes:
        assert episode.start <= episode.end and episode.days >= 1
        assert episode.actual - episode.expected >= params.min_excess * episode.days
        assert (episode.start - START).days >= params.min_history_days
    for before, after in pairwise(episodes):
        assert (after.start - before.end).days > params.quiet_days


@settings(max_examples=80, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=0, max_value=50_000), min_size=30, max_size=60),
    min_history=st.integers(min_value=0, max_value=20),
    min_excess=st.decimals(min_value=0, max_value=50, places=1),
)
def test_anomalous_days_are_the_days_every_baseline_judges_anomalous(cents, min_history, min_excess):
    """anomalous_days skips the second median where the first already fails: the same days as judging every
    day's full baseline."""
    values = {START + timedelta(days=i): Decimal(amount).scaleb(-2) for i, amount in enumerate(cents)}
    params = AnomalyParams(min_history_days=min_history, min_excess=min_excess)
    every = [(day, base) for day, base in baselines(values, params).items() if is_anomalous(values[day], base, params)]
    assert anomalous_days(values, params) == every
