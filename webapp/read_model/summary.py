"""The summary of one organisation: current balance, freshness, failures, month-to-date cost, 30-day spend
(the completed days before as_of, and the runway's: the 30 days to as_of, this month's total included),
and the depletion forecast (read_model.forecast).

Everything is computed as of the ledger's latest moment (Ledger.as_of), not the wall clock, so that a
rebuild at any time gives the same row; readers compare as_of and checked_at with now themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from webapp.domain.months import Month
from webapp.domain.spend_model import PastMonth
from webapp.read_model.daily import DailyFigures
from webapp.read_model.forecast import StoredForecast, stored_forecast
from webapp.read_model.ledger import Ledger, utc_day

SPEND_WINDOW_DAYS = 30
Months = Sequence[PastMonth]  # the closed months before the daily rows (read_model.forecast.forecast_months)


@dataclass(frozen=True)
class Summary:
    as_of: datetime | None = None
    balance_amount: Decimal | None = None
    balance_currency: str | None = None
    balance_changed_at: datetime | None = None
    checked_at: datetime | None = None
    failure_streak: int = 0
    last_failure_at: datetime | None = None
    last_failure_kind: str | None = None
    last_failure_reason: str | None = None
    mtd_year: int | None = None
    mtd_month: int | None = None
    mtd_total: Decimal | None = None
    mtd_currency: str | None = None
    mtd_collected_at: datetime | None = None
    spend_30d: Decimal | None = None
    spend_30d_currency: str | None = None
    runway_spend: Decimal | None = None
    runway_spend_currency: str | None = None
    forecast_as_of: date | None = None
    forecast_method: str | None = None
    forecast_history_days: int | None = None
    forecast_status: str | None = None
    forecast_reason: str | None = None
    runs_out_on: date | None = None
    runs_out_earliest: date | None = None
    runs_out_latest: date | None = None


def summarize(
    ledger: Ledger, days: Sequence[DailyFigures], *, forecast: StoredForecast | None = None, earlier: Months = ()
) -> Summary:
    """The summary row; `days` are daily_figures(ledger) (for the forecast: at least the 31 days before as_of's
    day and the whole trailing run of negative closing balances). `forecast`: the stored one when the caller knows
    it still holds (read_model.refresh: no completed day changed); else computed, also from the `earlier` months."""
    as_of = ledger.as_of
    if as_of is None:
        return Summary()
    forecast = forecast or stored_forecast(days, as_of, earlier)
    latest = ledger.balances[-1] if ledger.balances else None
    balances_state = ledger.state("balances")
    failed = [state for state in ledger.states if state.last_error_at is not None]
    last_failure = max(failed, key=lambda state: state.last_error_at or as_of) if failed else None
    current = Month.of(as_of)
    month_costs = [point for point in ledger.costs if point.month == current]
    mtd = month_costs[-1] if month_costs else None
    spend, spend_currency = spend_over_window(days, before=utc_day(as_of))
    runway_spend = spend_to(as_of, days, mtd.total if mtd else None, mtd.currency if mtd else None)
    return Summary(
        as_of=as_of,
        balance_amount=latest.amount if latest else None,
        balance_currency=latest.currency if latest else None,
        balance_changed_at=latest.collected_at if latest else None,
        checked_at=balances_state.last_success_at if balances_state else None,
        failure_streak=max((state.consecutive_failures for state in ledger.states), default=0),
        last_failure_at=last_failure.last_error_at if last_failure else None,
        last_failure_kind=last_failure.kind if last_failure else None,
        last_failure_reason=last_failure.last_error if last_failure else None,
        mtd_year=current.year if mtd else None,
        mtd_month=current.month if mtd else None,
        mtd_total=mtd.total if mtd else None,
        mtd_currency=mtd.currency if mtd else None,
        mtd_collected_at=mtd.collected_at if mtd else None,
        spend_30d=spend,
        spend_30d_currency=spend_currency,
        runway_spend=runway_spend,
        runway_spend_currency=(mtd.currency if mtd else None) or spend_currency,
        **asdict(forecast),
    )


def spend_over_window(days: Sequence[DailyFigures], *, before: date) -> tuple[Decimal | None, str | None]:
    """Sum of daily spend over the SPEND_WINDOW_DAYS completed days before `before` (a date).

    Amounts of different currencies are never added: when days with spend disagree, (None, None).
    """
    first = before - timedelta(days=SPEND_WINDOW_DAYS)
    window = [day for day in days if first <= day.day < before and day.spend_currency is not None]
    if not window:
        return None, None
    currencies = {day.spend_currency for day in window if day.spend}
    if len(currencies) > 1:
        return None, None
    currency = currencies.pop() if currencies else window[-1].spend_currency
    return sum((day.spend for day in window if day.spend_currency == currency), Decimal(0)), currency


def spend_to(
    as_of: datetime, days: Sequence[DailyFigures], mtd_total: Decimal | None, mtd_currency: str | None
) -> Decimal | None:
    """The spend behind runway: cost accrued in the SPEND_WINDOW_DAYS to as_of. This month's total so far
    when the month began inside the window, plus the daily spend of the window's days before the month
    began (only days billed in the month's currency when there is one). None without any figure."""
    first = utc_day(as_of - timedelta(days=SPEND_WINDOW_DAYS))
    month_start = Month.of(as_of).start.date()
    inside = month_start > first
    last = month_start - timedelta(days=1) if inside else utc_day(as_of)
    current = mtd_total if inside else None
    window = [
        day.spend
        for day in days
        if first <= day.day <= last and (mtd_currency is None or day.spend_currency == mtd_currency)
    ]
    if not window and current is None:
        return None
    return sum(window, Decimal(0)) + (current or Decimal(0))
