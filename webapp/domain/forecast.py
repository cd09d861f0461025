"""Forecasts (SPEC §9): when a prepaid balance runs out, and where a month's cost will end, with 80 % bands.

Pure functions from a daily series (the read model's daily figures as plain values) to frozen results that
say their method, `as_of` (the last completed UTC day they read) and the history used, or why there is no
forecast. The spend model is in webapp/domain/spend_model.py; the method and its backtest are in
docs/forecasting.md:

- a day's spend splits into the month's fixed fees (spend minus usage on the month's first day: the
  subscription, billed once) and variable spend (everything else);
- variable spend follows the per-weekday medians of the last 28 completed days, scaled to the window's
  winsorised mean, so a working-week pattern is not spread over the weekend, every day informs the
  level, and a spike counts only up to a cap;
- for the depletion date, the level reverts from that recent level toward the long-run level (the mean
  variable spend of up to the last 730 days, given at least 90; where the daily history is shorter, the
  provider's reports of the closed months before it fill the window) with a weight exp(−h/τ) at h days ahead,
  so months ahead the business cycle's current swing is no longer extrapolated;
- the band is a normal approximation of the sum over the horizon: the daily residuals around the weekday
  medians (independent days) plus an uncertain level that drifts as the horizon grows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from webapp.domain.spend_model import (
    ZERO,
    DayFigure,
    ForecastParams,
    PastMonth,
    SpendModel,
    completed,
    history_reason,
    spend_model,
)

METHOD = "weekday-median-28d-revert-730d"
RECENT_METHOD = "weekday-median-28d"  # the month projection: no reversion over its ≤ 31 days
Z_80 = Decimal("1.2816")  # the normal quantile of 90 %: 80 % of outcomes lie within ±Z_80 standard deviations


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
    """The first day the balance, spending as the model expects with no further top-ups, reaches `level`.
    The band's edges are where the 90th and the 10th percentiles of the spend reach it, each rounded to
    the nearest whole day (not outward), so that each tail holds about 10 % rather than at most 10 %."""
    if balance <= level:
        return Crossing(level, None, "already at or below it")
    room, cumulative = balance - level, ZERO
    before = {"earliest": ZERO, "expected": ZERO, "latest": ZERO}  # each path's spend the day before
    found: dict[str, tuple[int, Decimal]] = {}  # the step a path reaches the room on, and how far into it
    for step in range(1, params.horizon_days + 1):
        cumulative += model.expected(after + timedelta(days=step), step)
        margin = Z_80 * model.spread(cumulative, step, params)
        now = {"earliest": cumulative + margin, "expected": cumulative, "latest": cumulative - margin}
        for key, spent in now.items():
            if key not in found and spent >= room:
                found[key] = step, (room - before[key]) / (spent - before[key])
        if "latest" in found:
            break
        before = now
    if "expected" not in found:
        return Crossing(level, None, f"not within {params.horizon_days} days")
    expected = found["expected"][0]
    earliest = min(expected, _nearest(*found["earliest"]) + 1)  # the day after the crossing's nearest day
    latest = max(expected, _nearest(*found["latest"])) if "latest" in found else params.horizon_days
    return Crossing(level, DateBand(*(after + timedelta(days=step) for step in (expected, earliest, latest))))


def _nearest(step: int, into: Decimal) -> int:
    """The whole day nearest a path's crossing, `into` (0–1] of the way through day `step`: the real
    crossing day (the first whole day the spend reaches the room) is later than it about as often as
    the continuous crossing is."""
    return step if into >= Decimal("0.5") else step - 1


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
    arrived: Decimal = ZERO  # top-ups after as_of, in `balance` (the closing balance of as_of plus these)


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


def top_ups_after(days: Iterable[DayFigure], as_of: date) -> Decimal:
    """The money that came in after `as_of` (the current day's top-ups so far: a forecast's `arrived`), in
    the currency the balance closed `as_of` in; a day whose balance is in another currency adds nothing
    (two currencies never add up; from the next day on the forecast says `other_currency`)."""
    figures = list(days)
    closing = next((figure for figure in figures if figure.day == as_of), None)
    if closing is None:
        return ZERO
    same = [figure for figure in figures if figure.day > as_of and figure.balance_currency == closing.balance_currency]
    return sum((figure.top_ups for figure in same), ZERO)


def forecast_depletion(
    days: Iterable[DayFigure],
    *,
    as_of: date,
    threshold: Decimal | None = None,
    params: ForecastParams | None = None,
    arrived: Decimal = ZERO,
    earlier: Sequence[PastMonth] = (),
) -> DepletionForecast:
    """From the closing balance of `as_of` (the last completed UTC day) plus `arrived`, the top-ups that
    came in since (the current day's, top_ups_after), and the spend up to `as_of`. A top-up today moves
    the date at once; today's spend is forecast as a whole day, like the days after it. `earlier`: the
    closed months before the daily history, which the long-run level also reads (spend_model.long_run)."""
    params = params or ForecastParams()
    history = completed(days, as_of)
    closing = history[-1].closing_balance if history and history[-1].day == as_of else None
    balance = None if closing is None else closing + arrived
    missing = _no_forecast(history, balance, as_of, params)
    if missing is not None or balance is None:
        status, reason = missing or ("no_balance", f"no closing balance on {as_of.isoformat()}")
        used = min(len(history), params.window_days)
        return DepletionForecast(as_of, METHOD, used, balance, None, None, None, reason, status, arrived)
    model = spend_model(history, params, revert=True, earlier=earlier)
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
        arrived=arrived,
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
        return MonthProjection(first_day, last_day, as_of, RECENT_METHOD, used, to_date, None, None, None, reason)
    model = spend_model(history, params)
    start = max(as_of + timedelta(days=1), first_day)
    horizon = (last_day - start).days + 1
    remaining = sum((model.expected(start + timedelta(days=step)) for step in range(horizon)), ZERO)
    margin = (Z_80 * model.spread(remaining, horizon, params)).quantize(Decimal("0.0001"))
    expected = to_date + remaining
    low = max(to_date, expected - margin)  # a month's cost never falls below what it already cost
    return MonthProjection(
        first_day, last_day, as_of, RECENT_METHOD, model.history_days, to_date, expected.quantize(Decimal("0.0001")),
        low.quantize(Decimal("0.0001")), (expected + margin).quantize(Decimal("0.0001")),
    )  # fmt: skip
