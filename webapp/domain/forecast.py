"""Forecasts (SPEC §9): when a prepaid balance runs out, and where a month's cost will end, with 80 % bands.

Pure functions from a daily series (the read model's daily figures as plain values) to frozen results that
say their method, `as_of` (the last completed UTC day they read) and the history used, or why there is no
forecast. The method and its backtest are in docs/forecasting.md:

- a day's spend splits into the month's fixed fees (spend minus usage on the month's first day: the
  subscription, billed once) and variable spend (everything else);
- variable spend follows the per-weekday medians of the last 28 completed days, scaled to the window's
  winsorised mean, so a working-week pattern is not spread over the weekend, every day informs the
  level, and a spike counts only up to a cap;
- the band is a normal approximation of the sum over the horizon: the daily residuals around the weekday
  medians (independent days) plus an uncertain level that drifts as the horizon grows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

ZERO = Decimal(0)
METHOD = "weekday-median-28d"
Z_80 = Decimal("1.2816")  # the normal quantile of 90 %: 80 % of outcomes lie within ±Z_80 standard deviations


@dataclass(frozen=True, slots=True)
class DayFigure:
    """One completed UTC day: its spend (never negative), top-ups (ignored: they are not negative spend),
    closing balance, and the usage part of spend (services; None: all of spend is usage)."""

    day: date
    spend: Decimal
    top_ups: Decimal = ZERO
    closing_balance: Decimal | None = None
    usage: Decimal | None = None

    @property
    def fixed_fees(self) -> Decimal:
        """The non-usage part billed on a month's first day (a subscription); zero on other days."""
        if self.day.day != 1 or self.usage is None:
            return ZERO
        return max(ZERO, self.spend - self.usage)


@dataclass(frozen=True, slots=True)
class ForecastParams:
    window_days: int = 28
    min_history_days: int = 7
    horizon_days: int = 730
    drift_per_month: float = 0.01  # relative level uncertainty added per √month of horizon (backtested)
    level_floor: float = 0.01  # relative level uncertainty however long the history


@dataclass(frozen=True, slots=True)
class SpendModel:
    """Expected variable spend per weekday (Monday = 0), its daily residual spread and the level's
    relative uncertainty, fixed fees per month, and how many days (at most the window) they read."""

    weekday_spend: tuple[Decimal, ...]
    residual_sd: Decimal  # money: the daily spend's spread around the weekday medians
    level_sd: float  # a ratio (unitless): the level's relative uncertainty
    monthly_fees: Decimal
    history_days: int

    def expected(self, day: date) -> Decimal:
        return self.weekday_spend[day.weekday()] + (self.monthly_fees if day.day == 1 else ZERO)

    def spread(self, expected_sum: Decimal, horizon: int, params: ForecastParams) -> Decimal:
        """Standard deviation (money) of the spend summed over `horizon` days whose expected sum is given;
        the unitless level ratio is the only float, turned into a Decimal before it meets money."""
        level = Decimal(repr(math.hypot(self.level_sd, params.drift_per_month * math.sqrt(horizon / 30))))
        daily = self.residual_sd * Decimal(horizon).sqrt()
        return (daily * daily + (expected_sum * level) ** 2).sqrt()


def completed(days: Iterable[DayFigure], as_of: date) -> list[DayFigure]:
    """The days up to and including as_of, oldest first (no peeking at what came later)."""
    return sorted((figure for figure in days if figure.day <= as_of), key=lambda figure: figure.day)


def history_reason(history: Sequence[DayFigure], params: ForecastParams) -> str | None:
    if len(history) < params.min_history_days:
        return f"fewer than {params.min_history_days} days of history ({len(history)})"
    if not any(figure.spend > ZERO for figure in history[-params.window_days :]):
        return f"no spend in the last {min(len(history), params.window_days)} days"
    return None


def spend_model(history: Sequence[DayFigure], params: ForecastParams) -> SpendModel:
    """The model from at least one week of completed days (see history_reason)."""
    window = history[-params.window_days :]
    variable = {figure.day: figure.spend - figure.fixed_fees for figure in window}
    by_weekday: list[list[Decimal]] = [[] for _ in range(7)]
    for day, amount in variable.items():
        by_weekday[day.weekday()].append(amount)
    medians = tuple(median(amounts) if amounts else ZERO for amounts in by_weekday)
    weekday_spend = _levelled(medians, variable)
    residuals = [amount - weekday_spend[day.weekday()] for day, amount in variable.items()]
    freedom = max(1, len(residuals) - 7)
    residual_sd = (sum((r * r for r in residuals), ZERO) / freedom).sqrt()
    mean_day = sum(weekday_spend, ZERO) / 7
    level_sd = float(residual_sd / mean_day) / math.sqrt(len(residuals)) if mean_day > 0 else 0.0
    fees = [figure.fixed_fees for figure in history[-31:] if figure.day.day == 1]
    return SpendModel(
        weekday_spend, residual_sd, max(params.level_floor, level_sd), fees[-1] if fees else ZERO, len(window)
    )


def _levelled(medians: tuple[Decimal, ...], variable: dict[date, Decimal]) -> tuple[Decimal, ...]:
    """The weekday medians scaled to the window's winsorised mean: every day counts (the median of four
    Mondays wastes most of them), but a day far above its weekday's median counts only up to a cap."""
    expected = [medians[day.weekday()] for day in variable]
    deviations = sorted(abs(amount - typical) for amount, typical in zip(variable.values(), expected, strict=True))
    scale = deviations[len(deviations) // 2] * Decimal("1.4826")
    capped = [
        min(amount, typical + 3 * max(scale, typical / 10))
        for amount, typical in zip(variable.values(), expected, strict=True)
    ]
    base = sum(expected, ZERO)
    if base <= 0:
        return medians
    factor = sum(capped, ZERO) / base
    return tuple(value * factor for value in medians)


@dataclass(frozen=True, slots=True)
class DateBand:
    """When a level is reached: the expected day and the 80 % band around it."""

    expected: date
    earliest: date
    latest: date


@dataclass(frozen=True, slots=True)
class Crossing:
    """A balance level's crossing: its band, or why there is none."""

    level: Decimal
    band: DateBand | None
    reason: str | None = None


def crossing(model: SpendModel, *, balance: Decimal, level: Decimal, after: date, params: ForecastParams) -> Crossing:
    """The first day the balance, spending as the model expects with no further top-ups, reaches `level`."""
    if balance <= level:
        return Crossing(level, None, "already at or below it")
    room, cumulative = balance - level, ZERO
    found: dict[str, date] = {}
    for step in range(1, params.horizon_days + 1):
        day = after + timedelta(days=step)
        cumulative += model.expected(day)
        sd = model.spread(cumulative, step, params)
        for key, spent in (("earliest", cumulative + Z_80 * sd), ("expected", cumulative)):
            if key not in found and spent >= room:
                found[key] = day
        if cumulative - Z_80 * sd >= room:
            return Crossing(level, DateBand(found["expected"], found["earliest"], day))
    if "expected" in found:
        return Crossing(level, DateBand(found["expected"], found["earliest"], after + timedelta(params.horizon_days)))
    return Crossing(level, None, f"not within {params.horizon_days} days")


@dataclass(frozen=True, slots=True)
class DepletionForecast:
    """When the balance reaches zero and the low-balance threshold (each a Crossing; threshold None when
    none is set), or `reason` why there is no forecast at all."""

    as_of: date
    method: str
    history_days: int
    balance: Decimal | None
    expected_daily_spend: Decimal | None
    zero: Crossing | None
    threshold: Crossing | None
    reason: str | None = None
    status: str = "forecast"  # or why there is none: short_history, no_spend, no_balance, overdrawn


def overdrawn_since(history: Sequence[DayFigure]) -> date | None:
    """The first day of the trailing run of negative closing balances (None when the last is not negative)."""
    since = None
    for figure in reversed(history):
        if figure.closing_balance is None or figure.closing_balance >= ZERO:
            break
        since = figure.day
    return since


def _no_forecast(
    history: Sequence[DayFigure], balance: Decimal | None, as_of: date, params: ForecastParams
) -> tuple[str, str] | None:
    """(status, reason) when there can be no depletion forecast, else None."""
    reason = history_reason(history, params)
    if reason is not None:
        return ("short_history" if len(history) < params.min_history_days else "no_spend"), reason
    if balance is None:
        return "no_balance", f"no closing balance on {as_of.isoformat()}"
    if balance < ZERO:
        return "overdrawn", f"overdrawn since {(overdrawn_since(history) or as_of).isoformat()}"
    return None


def forecast_depletion(
    days: Iterable[DayFigure],
    *,
    as_of: date,
    threshold: Decimal | None = None,
    params: ForecastParams | None = None,
) -> DepletionForecast:
    """From the closing balance of `as_of` (the last completed UTC day) and the spend before it."""
    params = params or ForecastParams()
    history = completed(days, as_of)
    balance = history[-1].closing_balance if history and history[-1].day == as_of else None
    missing = _no_forecast(history, balance, as_of, params)
    if missing is not None or balance is None:
        status, reason = missing or ("no_balance", f"no closing balance on {as_of.isoformat()}")
        used = min(len(history), params.window_days)
        return DepletionForecast(as_of, METHOD, used, balance, None, None, None, reason, status)
    model = spend_model(history, params)
    expected_daily = (sum(model.weekday_spend, ZERO) / 7).quantize(Decimal("0.0001"))
    return DepletionForecast(
        as_of=as_of,
        method=METHOD,
        history_days=model.history_days,
        balance=balance,
        expected_daily_spend=expected_daily,
        zero=crossing(model, balance=balance, level=ZERO, after=as_of, params=params),
        threshold=None
        if threshold is None
        else crossing(model, balance=balance, level=threshold, after=as_of, params=params),
    )


@dataclass(frozen=True, slots=True)
class MonthProjection:
    """A month's cost: month-to-date as of `as_of`, the expected total and its 80 % band (low, high).
    A closed month (as_of on or after its last day) is its actual: method "actual", low = high = expected."""

    first_day: date
    last_day: date
    as_of: date
    method: str
    history_days: int
    month_to_date: Decimal
    expected: Decimal | None
    low: Decimal | None
    high: Decimal | None
    reason: str | None = None


def project_month(
    days: Iterable[DayFigure], *, first_day: date, as_of: date, params: ForecastParams | None = None
) -> MonthProjection:
    """Month-to-date (fees included) plus the expected spend of the month's remaining days."""
    params = params or ForecastParams()
    first_day = first_day.replace(day=1)
    last_day = (first_day + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    history = completed(days, min(as_of, last_day))
    to_date = sum((figure.spend for figure in history if figure.day >= first_day), ZERO)
    if as_of >= last_day:
        used = min(len(history), params.window_days)
        return MonthProjection(first_day, last_day, as_of, "actual", used, to_date, to_date, to_date, to_date)
    reason = history_reason(history, params)
    if reason is not None:
        used = min(len(history), params.window_days)
        return MonthProjection(first_day, last_day, as_of, METHOD, used, to_date, None, None, None, reason)
    model = spend_model(history, params)
    start = max(as_of + timedelta(days=1), first_day)
    horizon = (last_day - start).days + 1
    remaining = sum((model.expected(start + timedelta(days=step)) for step in range(horizon)), ZERO)
    margin = (Z_80 * model.spread(remaining, horizon, params)).quantize(Decimal("0.0001"))
    expected = to_date + remaining
    low = max(to_date, expected - margin)  # a month's cost never falls below what it already cost
    return MonthProjection(
        first_day, last_day, as_of, METHOD, model.history_days, to_date, expected.quantize(Decimal("0.0001")),
        low.quantize(Decimal("0.0001")), (expected + margin).quantize(Decimal("0.0001")),
    )  # fmt: skip
