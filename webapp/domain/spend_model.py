"""The spend model behind the forecasts (webapp/domain/forecast.py, docs/forecasting.md): expected spend per
weekday from the last 28 completed days (winsorised), the month's fixed fees, the daily residual spread, the
level's uncertainty, and for the depletion date the reversion toward the long-run level."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from webapp.domain.months import Month

ZERO = Decimal(0)
PAST_MONTHS = 24  # closed months before the daily history that the long-run level can read (its 730 days)


@dataclass(frozen=True, slots=True)
class DayFigure:
    """One completed UTC day: its spend (never negative), top-ups (ignored: they are not negative spend),
    closing balance, the usage part of spend (services; None: all of spend is usage), and the closing
    balance's currency (None when the caller does not say)."""

    day: date
    spend: Decimal
    top_ups: Decimal = ZERO
    closing_balance: Decimal | None = None
    usage: Decimal | None = None
    balance_currency: str | None = None

    @property
    def fixed_fees(self) -> Decimal:
        """The non-usage part billed on a month's first day (a subscription); zero on other days."""
        if self.day.day != 1 or self.usage is None:
            return ZERO
        return max(ZERO, self.spend - self.usage)


@dataclass(frozen=True, slots=True)
class PastMonth:
    """A closed month before the daily history, as the provider reported it (its latest snapshot): its
    variable spend, the usage (the whole total when the report names no usage line). The long-run level
    reads such months where the daily history is shorter than its window (docs/forecasting.md)."""

    first_day: date
    variable: Decimal

    @property
    def days(self) -> int:
        month = Month(self.first_day.year, self.first_day.month)
        return (month.end - month.start).days


@dataclass(frozen=True, slots=True)
class ForecastParams:
    window_days: int = 28
    min_history_days: int = 7
    horizon_days: int = 730
    drift_per_month: float = 0.01  # relative level uncertainty added per √month of horizon (backtested)
    level_floor: float = 0.01  # relative level uncertainty however long the history
    long_window_days: int = 730  # the long-run level: mean variable spend of up to this many days (two years)
    long_min_days: int = 90  # no reversion with less history than this
    reversion_days: float = 60.0  # τ: the recent level's weight at h days ahead is exp(−h/τ)


@dataclass(frozen=True, slots=True)
class SpendModel:
    """Expected variable spend per weekday (Monday = 0), its daily residual spread and the level's
    relative uncertainty, fixed fees per month, and how many days (at most the window) they read."""

    weekday_spend: tuple[Decimal, ...]
    residual_sd: Decimal  # money: the daily spend's spread around the weekday medians
    level_sd: float  # a ratio (unitless): the level's relative uncertainty
    monthly_fees: Decimal
    history_days: int
    long_ratio: Decimal | None = None  # the long-run level ÷ the recent one (None: no reversion)
    reversion_days: float = 0.0
    long_level_sd: float = 0.0  # a ratio: the long-run level's relative uncertainty

    def expected(self, day: date, ahead: int = 0) -> Decimal:
        """The expected spend of `day`, `ahead` days after as_of (the horizon of the level's reversion)."""
        fees = self.monthly_fees if day.day == 1 else ZERO
        if self.long_ratio is None or ahead <= 0:
            return self.weekday_spend[day.weekday()] + fees
        recent = Decimal(repr(math.exp(-ahead / self.reversion_days)))  # a unitless weight
        return self.weekday_spend[day.weekday()] * (recent + (1 - recent) * self.long_ratio) + fees

    def spread(self, expected_sum: Decimal, horizon: int, params: ForecastParams) -> Decimal:
        """Standard deviation (money) of the spend summed over `horizon` days whose expected sum is given;
        the unitless level ratio is the only float, turned into a Decimal before it meets money."""
        level = Decimal(repr(math.hypot(self.level_error(horizon), params.drift_per_month * math.sqrt(horizon / 30))))
        daily = self.residual_sd * Decimal(horizon).sqrt()
        return (daily * daily + (expected_sum * level) ** 2).sqrt()

    def level_error(self, horizon: int) -> float:
        """The relative uncertainty of the level over `horizon` days: with the reversion, the recent level's
        weighted by its mean weight over the horizon, the rest the long-run level's (read from more days)."""
        if self.long_ratio is None or horizon <= 0:
            return self.level_sd
        recent = self.reversion_days / horizon * -math.expm1(-horizon / self.reversion_days)
        return recent * self.level_sd + (1 - recent) * self.long_level_sd


def completed(days: Iterable[DayFigure], as_of: date) -> list[DayFigure]:
    """The days up to and including as_of, oldest first (no peeking at what came later)."""
    return sorted((figure for figure in days if figure.day <= as_of), key=lambda figure: figure.day)


def history_reason(history: Sequence[DayFigure], params: ForecastParams) -> str | None:
    if len(history) < params.min_history_days:
        return f"fewer than {params.min_history_days} days of history ({len(history)})"
    if not any(figure.spend > ZERO for figure in history[-params.window_days :]):
        return f"no spend in the last {min(len(history), params.window_days)} days"
    return None


def spend_model(
    history: Sequence[DayFigure], params: ForecastParams, *, revert: bool = False, earlier: Sequence[PastMonth] = ()
) -> SpendModel:
    """The model from at least one week of completed days (see history_reason); `revert`: with the
    reversion toward the long-run level when there is enough history for one (the daily history and the
    `earlier` months before it together)."""
    window = history[-params.window_days :]
    variable = {figure.day: figure.spend - figure.fixed_fees for figure in window}
    by_weekday: list[list[Decimal]] = [[] for _ in range(7)]
    for day, amount in variable.items():
        by_weekday[day.weekday()].append(amount)
    medians = tuple(median(amounts) if amounts else ZERO for amounts in by_weekday)
    weekday_spend, capped = _levelled(medians, variable)
    residuals = [amount - weekday_spend[day.weekday()] for day, amount in variable.items()]
    freedom = max(1, len(residuals) - 7)
    residual_sd = (sum((r * r for r in residuals), ZERO) / freedom).sqrt()
    mean_day = sum(weekday_spend, ZERO) / 7
    level_sd = _level_sd(capped, weekday_spend, mean_day)
    fees = [figure.fixed_fees for figure in history[-31:] if figure.day.day == 1]
    long_ratio, long_days = None, len(window)
    if revert:  # (the month projection never reverts: it need not sum two years)
        long_days, long_total = long_run(history, earlier, params)
        long_ratio = long_total / long_days / mean_day if long_days >= params.long_min_days and mean_day > 0 else None
    return SpendModel(
        weekday_spend, residual_sd, max(params.level_floor, level_sd), fees[-1] if fees else ZERO,
        len(window) if long_ratio is None else long_days, long_ratio, params.reversion_days,
        max(params.level_floor, level_sd * math.sqrt(len(residuals) / long_days)),
    )  # fmt: skip


def _level_sd(capped: dict[date, Decimal], weekday_spend: tuple[Decimal, ...], mean_day: Decimal) -> float:
    """The relative standard error of the level, a winsorised mean: from the days as capped."""
    if mean_day <= 0:
        return 0.0
    squares = sum(((amount - weekday_spend[day.weekday()]) ** 2 for day, amount in capped.items()), ZERO)
    spread = (squares / max(1, len(capped) - 7)).sqrt()
    return float(spread / mean_day) / math.sqrt(len(capped))


def long_run(history: Sequence[DayFigure], earlier: Sequence[PastMonth], params: ForecastParams) -> tuple[int, Decimal]:
    """The days the long-run level reads and their variable spend (spikes included: future days have them
    too): the last `long_window_days` daily figures, then, while the window has room, the closed months
    before the first of them, newest first (the oldest one read prorated). Months that overlap the daily
    history, or are given twice, are not read."""
    days = history[-params.long_window_days :]
    count, total = len(days), sum((figure.spend - figure.fixed_fees for figure in days), ZERO)
    first = history[0].day if history else date.max
    months = {month.first_day: month for month in earlier}  # (one per month)
    for month in sorted(months.values(), key=lambda month: month.first_day, reverse=True):
        room = params.long_window_days - count
        if room <= 0:
            break
        if month.first_day + timedelta(days=month.days) > first:  # (its end: it overlaps the daily history)
            continue
        read = min(month.days, room)  # (a month of credits counts as no spend, as a day's fall does)
        count, total = count + read, total + max(ZERO, month.variable) * read / month.days
    return count, total


def _levelled(
    medians: tuple[Decimal, ...], variable: dict[date, Decimal]
) -> tuple[tuple[Decimal, ...], dict[date, Decimal]]:
    """The weekday medians scaled to the window's winsorised mean: every day counts (the median of four
    Mondays wastes most of them), but a day far above its weekday's median counts only up to a cap.
    Also the days as capped (the spread is theirs: a spike does not widen every day's band)."""
    expected = [medians[day.weekday()] for day in variable]
    deviations = sorted(abs(amount - typical) for amount, typical in zip(variable.values(), expected, strict=True))
    scale = deviations[len(deviations) // 2] * Decimal("1.4826")
    capped = {
        day: min(amount, typical + 3 * max(scale, typical / 10))
        for (day, amount), typical in zip(variable.items(), expected, strict=True)
    }
    base = sum(expected, ZERO)
    if base <= 0:
        return medians, capped
    factor = sum(capped.values(), ZERO) / base
    return tuple(value * factor for value in medians), capped
