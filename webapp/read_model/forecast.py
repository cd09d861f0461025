"""The depletion forecast stored on the summary (SPEC §9, issue 14): when the balance reaches zero, with
its 80 % band, from the daily figures of the completed UTC days before the summary's as_of and the top-ups
of its own day so far (a top-up moves the date at once, not the next day).

Only the zero crossing is stored. The low-balance threshold lives on the organisation and an admin can
change it at any time, so its crossing is computed where it is shown (the API) from the daily figures,
never stored: nothing has to be refreshed when the threshold changes.

`status` says which case holds, so readers need not parse `reason`:
forecast (runs_out_* set), beyond_horizon (spend too low to reach zero within the horizon),
short_history, no_spend, overdrawn, no_balance, other_currency (costs billed in another currency than the
balance: never mixed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from webapp.domain.forecast import (
    METHOD,
    DayFigure,
    DepletionForecast,
    ForecastParams,
    PastMonth,
    forecast_depletion,
    top_ups_after,
)
from webapp.domain.months import Month
from webapp.domain.spend_model import PAST_MONTHS
from webapp.queries.forecasts import past_months
from webapp.read_model.daily import DailyFigures
from webapp.read_model.ledger import CostPoint, utc_day

# the rows the forecast reads: the long-run level's 730 days to the last completed day, that day's
# successor (the summary's own, partial day) and one more; they also cover the model's 28 days and last
# month's first day (fees)
KEEP_DAYS = ForecastParams().long_window_days + 2
STATUSES = ("forecast", "beyond_horizon", "short_history", "no_spend", "overdrawn", "no_balance", "other_currency")


@dataclass(frozen=True)
class StoredForecast:
    """The summary's forecast columns (all None when the ledger has no completed day)."""

    forecast_as_of: date | None = None
    forecast_method: str | None = None
    forecast_history_days: int | None = None
    forecast_status: str | None = None
    forecast_reason: str | None = None
    runs_out_on: date | None = None
    runs_out_earliest: date | None = None
    runs_out_latest: date | None = None


def forecast_day(as_of: datetime | None) -> date | None:
    """The last completed UTC day at `as_of` (the summary's as_of): the day the forecast reads up to."""
    return None if as_of is None else utc_day(as_of) - timedelta(days=1)


def day_figures(days: Sequence[DailyFigures]) -> list[DayFigure]:
    """The read model's daily rows as the forecast's input. Usage is the sum of the per-service spend
    (None when the day names no service: then all of its spend counts as usage)."""
    return [
        DayFigure(
            day=row.day,
            spend=row.spend,
            top_ups=row.top_ups,
            closing_balance=row.closing_balance,
            usage=sum((Decimal(amount) for amount in row.spend_by_service.values()), Decimal(0))
            if row.spend_by_service
            else None,
            balance_currency=row.balance_currency,
        )
        for row in days
    ]


def depletion(
    days: Sequence[DailyFigures],
    as_of: datetime | None,
    *,
    threshold: Decimal | None = None,
    earlier: Sequence[PastMonth] = (),
) -> DepletionForecast | None:
    """The forecast as of the last completed day before `as_of` (None without one), from its closing balance
    plus the top-ups of the summary's own day so far; `earlier`: forecast_months."""
    day = forecast_day(as_of)
    if day is None or not days or days[0].day > day:
        return None
    figures = day_figures(relevant(days, day))
    arrived = top_ups_after(figures, day)
    return forecast_depletion(figures, as_of=day, threshold=threshold, arrived=arrived, earlier=earlier)


def forecast_months(organization_id: int, days: Sequence[DailyFigures], day: date | None) -> list[PastMonth]:
    """The provider's closed months before the daily rows that the forecast of `day` reads, by one query (the
    write path's and the API's twin of ledger_months): `days` must reach back to the ledger's first row or
    hold the long-run level's window, as refresh passes them."""
    wanted = _months_wanted(days, day)
    return [] if wanted is None else past_months(organization_id, before=wanted[0], currency=wanted[1])


def ledger_months(costs: Sequence[CostPoint], days: Sequence[DailyFigures], day: date | None) -> list[PastMonth]:
    """The same months from a whole ledger in memory (rebuild, check, a first bulk batch): each closed month's
    latest snapshot, at most PAST_MONTHS before the first daily row's month, billed in the balance's currency,
    newest first; its variable spend is its usage (all of its total when no usage line counts)."""
    wanted = _months_wanted(days, day)
    if wanted is None:
        return []
    before, currency = wanted
    first = Month(before.year, before.month)
    latest = {point.month: point for point in costs if first.shift(-PAST_MONTHS) <= point.month < first}
    return [
        PastMonth(month.start.date(), sum(point.services.values(), Decimal(0)) if point.services else point.total)
        for month, point in sorted(latest.items(), reverse=True)
        if point.currency == currency
    ]


def _months_wanted(days: Sequence[DailyFigures], day: date | None) -> tuple[date, str] | None:
    """(the first daily row the forecast reads, the currency its balance closed `day` in) when the rows it
    reads are fewer than the long-run level's window, else None: no month is read."""
    read = [row for row in relevant(days, day) if row.day <= day] if day is not None else []
    currency = read[-1].balance_currency if read and read[-1].day == day else None
    if not read or currency is None or len(read) >= ForecastParams().long_window_days:
        return None
    return read[0].day, currency


def relevant(days: Sequence[DailyFigures], until: date | None = None, keep: int = KEEP_DAYS) -> Sequence[DailyFigures]:
    """The days the forecast reads (a rebuild passes the whole history): the last `keep` (the long-run
    level's year) but none before a day billed in another currency than the latest up to `until` (the
    level never adds two currencies), and further back while the closing balance was negative
    ("overdrawn since")."""
    start = max(0, len(days) - keep)
    read = [index for index in range(start, len(days)) if until is None or days[index].day <= until]
    billed = [index for index in read if days[index].spend and days[index].spend_currency]
    if billed:
        currency = days[billed[-1]].spend_currency
        start = next((index + 1 for index in reversed(billed) if days[index].spend_currency != currency), start)
    while start > 0 and (balance := days[start].closing_balance) is not None and balance < 0:
        start -= 1
    return days[start:]


def status_of(forecast: DepletionForecast) -> str:
    if forecast.reason is None:
        return "forecast" if forecast.zero is not None and forecast.zero.band is not None else "beyond_horizon"
    return forecast.status


def other_currency(days: Sequence[DailyFigures], day: date) -> str | None:
    """Why the forecast would mix currencies: the window's spend billed in another currency than the
    closing balance of `day`, or None."""
    window = [row for row in days if day - timedelta(days=28) < row.day <= day]
    balance = window[-1].balance_currency if window and window[-1].day == day else None
    billed = sorted({row.spend_currency for row in window if row.spend and row.spend_currency} - {balance})
    if balance is None or not billed:
        return None
    return f"costs billed in {', '.join(billed)}, the balance is in {balance}"


def stored_forecast(
    days: Sequence[DailyFigures], as_of: datetime | None, earlier: Sequence[PastMonth] = ()
) -> StoredForecast:
    day = forecast_day(as_of)  # (the currencies of the model's window: before `relevant` cuts at a change)
    mixed = None if day is None else other_currency(days, day)
    if day is not None and mixed is not None:
        return StoredForecast(day, METHOD, None, "other_currency", mixed)
    forecast = depletion(days, as_of, earlier=earlier)
    if forecast is None:
        return StoredForecast()
    band = forecast.zero.band if forecast.zero is not None else None
    reason = forecast.reason or (forecast.zero.reason if forecast.zero is not None and band is None else None)
    return StoredForecast(
        forecast_as_of=forecast.as_of,
        forecast_method=forecast.method,
        forecast_history_days=forecast.history_days,
        forecast_status=status_of(forecast),
        forecast_reason=reason,
        runs_out_on=band.expected if band else None,
        runs_out_earliest=band.earliest if band else None,
        runs_out_latest=band.latest if band else None,
    )
