"""Spend anomalies (SPEC §9): completed days far above their robust baseline, merged into episodes.

Pure functions from a daily series of *usage* (spend per service, and per operator when the caller has
it) to frozen episodes. Non-usage fees (the monthly subscription, anything billed beside the usage lines)
are not part of that input, so they never open an episode. Per scope (the organisation's usage summed over
its services, or one service), a day is anomalous when, against the previous 28 days (median and MAD,
missing days counting as zero spend, at least 14 days of history):

- its spend is at least `min_excess` above the median (money),
- and at least `min_ratio` times the median (default 1.5: 50 % above),
- and more than `mad_factor` scaled MADs above it (a day that is merely noisy for its history is not).

Consecutive anomalous days extend one episode; it stays open until `quiet_days` quiet days follow its
last anomalous day, then it is closed. An episode records expected (the baselines) vs actual and the top
services (and operators) by excess over their own baselines.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

ZERO = Decimal(0)
MAD_SCALE = Decimal("1.4826")  # a MAD × this estimates the standard deviation of normal noise
METHOD = "median-mad-28d"


@dataclass(frozen=True, slots=True)
class AnomalyParams:
    window_days: int = 28
    min_history_days: int = 14
    min_excess: Decimal = Decimal("25")
    min_ratio: Decimal = Decimal("1.5")
    mad_factor: Decimal = Decimal("3")
    quiet_days: int = 7
    top: int = 3


@dataclass(frozen=True, slots=True)
class UsageDay:
    """One completed UTC day's usage: amount per service (the daily figures' spend_by_service, as Decimals)
    and, when the caller has it, per operator. Fees are never in it."""

    day: date
    by_service: Mapping[str, Decimal]
    by_operator: Mapping[str, Decimal] = field(default_factory=dict)

    @classmethod
    def from_figures(
        cls, day: date, spend_by_service: Mapping[str, str], spend_by_operator: Mapping[str, str] | None = None
    ) -> UsageDay:
        """From a daily figure's spend_by_service and spend_by_operator (decimal strings). Its `spend` is
        deliberately not an input: it includes the fees, which must never open an episode."""
        operators = {name: Decimal(amount) for name, amount in (spend_by_operator or {}).items()}
        return cls(day, {service: Decimal(amount) for service, amount in spend_by_service.items()}, operators)

    @property
    def total(self) -> Decimal:
        return sum(self.by_service.values(), ZERO)


@dataclass(frozen=True, slots=True)
class Baseline:
    median: Decimal
    mad: Decimal
    history_days: int


@dataclass(frozen=True, slots=True)
class Driver:
    """A service or operator and how much it spent above its own baseline during the episode."""

    name: str
    expected: Decimal
    actual: Decimal

    @property
    def excess(self) -> Decimal:
        return self.actual - self.expected


@dataclass(frozen=True, slots=True)
class Episode:
    """Anomalous days from `start` to `end` (the last anomalous day); `closed_on` is the day the quiet
    period completed (None while it is open). `scope` is None for the organisation, else the service."""

    scope: str | None
    start: date
    end: date
    days: int
    expected: Decimal
    actual: Decimal
    closed_on: date | None
    top_services: tuple[Driver, ...]
    top_operators: tuple[Driver, ...]
    method: str = METHOD

    @property
    def excess(self) -> Decimal:
        return self.actual - self.expected


def baseline(values: Sequence[Decimal]) -> Baseline:
    middle = median(values)
    return Baseline(middle, median(abs(value - middle) for value in values), len(values))


def is_anomalous(actual: Decimal, base: Baseline, params: AnomalyParams) -> bool:
    """Every threshold must pass; below `min_history_days` of history nothing is anomalous."""
    if base.history_days < params.min_history_days:
        return False
    excess = actual - base.median
    return (
        excess >= params.min_excess
        and actual >= base.median * params.min_ratio
        and excess > params.mad_factor * MAD_SCALE * base.mad
    )


def daily_values(days: Iterable[UsageDay], as_of: date, amount_of: str | None) -> dict[date, Decimal]:
    """Amount per day from the first day through as_of, missing days as zero (None: the total)."""
    given = {usage.day: usage for usage in days if usage.day <= as_of}
    if not given:
        return {}
    values, day = {}, min(given)
    while day <= as_of:
        usage = given.get(day)
        amount = ZERO if usage is None else usage.total if amount_of is None else usage.by_service.get(amount_of, ZERO)
        values[day] = amount
        day += timedelta(days=1)
    return values


def _windows(values: Mapping[date, Decimal], params: AnomalyParams) -> Iterator[tuple[date, Decimal, list[Decimal]]]:
    """Each day, its amount and the amounts of the days before it (at most window_days of them)."""
    ordered = list(values.values())
    for index, day in enumerate(values):
        yield day, ordered[index], ordered[max(0, index - params.window_days) : index]


def baselines(
    values: Mapping[date, Decimal], params: AnomalyParams, only: Collection[date] | None = None
) -> dict[date, Baseline]:
    """Each day's baseline from the days before it (at most window_days of them); of the days in
    `only` when given (an episode's drivers need a few days' baselines, not the whole history's)."""
    return {
        day: baseline(window) if window else Baseline(ZERO, ZERO, 0)
        for day, _, window in _windows(values, params)
        if only is None or day in only
    }


def anomalous_days(values: Mapping[date, Decimal], params: AnomalyParams) -> list[tuple[date, Baseline]]:
    """The days is_anomalous keeps, with their baselines. The MAD (a second median) is computed only for a day
    that passes the thresholds on the median alone: a year of one organisation's services is thousands of days,
    few of them above the minimum excess."""
    found = []
    for day, actual, window in _windows(values, params):
        if len(window) < params.min_history_days:
            continue
        middle = median(window) if window else ZERO
        if actual - middle >= params.min_excess and actual >= middle * params.min_ratio:
            base = baseline(window) if window else Baseline(ZERO, ZERO, 0)
            if is_anomalous(actual, base, params):
                found.append((day, base))
    return found


def _drivers(
    days: Sequence[date], given: Mapping[date, UsageDay], as_of: date, params: AnomalyParams, *, operators: bool
) -> tuple[Driver, ...]:
    """Each service's (or operator's) spend over the episode's anomalous days against its own baselines."""
    names = {name for day in days if day in given for name in _amounts(given[day], operators)}
    found = []
    for name in names:
        values = {
            day: _amounts(given[day], operators).get(name, ZERO) if day in given else ZERO
            for day in _day_range(min(given), as_of)
        }
        bases = baselines(values, params, only=set(days))
        driver = Driver(name, sum((bases[d].median for d in days), ZERO), sum((values[d] for d in days), ZERO))
        if driver.excess > 0:
            found.append(driver)
    found.sort(key=lambda driver: (-driver.excess, driver.name))
    return tuple(found[: params.top])


def _amounts(usage: UsageDay, operators: bool) -> Mapping[str, Decimal]:
    return usage.by_operator if operators else usage.by_service


def _day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=step) for step in range((last - first).days + 1)]


def group_days(flagged: Sequence[tuple[date, Baseline]], quiet_days: int) -> list[list[tuple[date, Baseline]]]:
    """Anomalous days into runs: a day within `quiet_days` of the run's last day extends it."""
    runs: list[list[tuple[date, Baseline]]] = []
    for day, base in flagged:
        if runs and (day - runs[-1][-1][0]).days <= quiet_days:
            runs[-1].append((day, base))
        else:
            runs.append([(day, base)])
    return runs


def find_episodes(
    days: Iterable[UsageDay], *, as_of: date, scope: str | None = None, params: AnomalyParams | None = None
) -> list[Episode]:
    """The episodes of one scope (None: the organisation's usage summed; else that service), oldest first,
    from the completed days up to and including as_of."""
    params = params or AnomalyParams()
    given = {usage.day: usage for usage in days if usage.day <= as_of}
    values = daily_values(given.values(), as_of, scope)
    episodes = []
    for run in group_days(anomalous_days(values, params), params.quiet_days):
        run_days = [day for day, _base in run]
        closes = run_days[-1] + timedelta(days=params.quiet_days)
        services: tuple[Driver, ...] = ()
        operators: tuple[Driver, ...] = ()
        if scope is None:  # the drivers of a service's episode are that service (operators are per org)
            services = _drivers(run_days, given, as_of, params, operators=False)
            operators = _drivers(run_days, given, as_of, params, operators=True)
        episodes.append(
            Episode(
                scope=scope,
                start=run_days[0],
                end=run_days[-1],
                days=len(run_days),
                expected=sum((base.median for _day, base in run), ZERO),
                actual=sum((values[day] for day in run_days), ZERO),
                closed_on=closes if closes <= as_of else None,
                top_services=services,
                top_operators=operators,
            )
        )
    return episodes


def find_all_episodes(days: Iterable[UsageDay], *, as_of: date, params: AnomalyParams | None = None) -> list[Episode]:
    """The organisation's episodes, then each service's, oldest first within each scope."""
    given = [usage for usage in days if usage.day <= as_of]
    services = sorted({name for usage in given for name in usage.by_service})
    found = find_episodes(given, as_of=as_of, params=params)
    for service in services:
        found += find_episodes(given, as_of=as_of, scope=service, params=params)
    return found
