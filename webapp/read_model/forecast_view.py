"""One organisation's forecasts as read (the API's GET /v1/forecast): the stored depletion forecast, the
low-balance threshold's crossing computed now from the daily figures (the threshold is the organisation's
and may change at any time, so it is never stored: read_model.forecast), and this month's projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from webapp.domain.forecast import (
    Crossing,
    DateBand,
    MonthProjection,
    forecast_depletion,
    project_month,
    top_ups_after,
)
from webapp.extensions import db
from webapp.models import Organization
from webapp.read_model.daily import SUMMARY_FIELDS, DailyFigures
from webapp.read_model.forecast import KEEP_DAYS, day_figures, forecast_months, relevant
from webapp.read_model.store import DAILY, SUMMARIES

READ_BACK_DAYS = KEEP_DAYS  # the forecast's two years (its long-run level; the model's 28 days, last month's fees)


@dataclass(frozen=True)
class ForecastView:
    as_of: date
    method: str
    history_days: int | None
    status: str
    reason: str | None
    balance: Decimal | None
    balance_currency: str | None
    zero: DateBand | None
    threshold: Crossing | None  # None when no threshold is set or there is no forecast
    month: MonthProjection
    month_currency: str | None


def forecast_view(organization_id: int, now: datetime) -> ForecastView | None:
    """None until the organisation has a completed day (no forecast can be made or refused yet)."""
    row = db.session.execute(
        select(SUMMARIES, Organization.low_balance_threshold)
        .join(Organization, Organization.id == SUMMARIES.c.organization_id)
        .where(SUMMARIES.c.organization_id == organization_id)
    ).first()
    if row is None or row.forecast_as_of is None:
        return None
    as_of: date = row.forecast_as_of
    first_day = now.astimezone(UTC).date().replace(day=1)
    first = min(as_of - timedelta(days=READ_BACK_DAYS), first_day - timedelta(days=31))
    days = _days(organization_id, first, as_of + timedelta(days=1))  # and the summary's own day: its top-ups
    figures = day_figures(days)
    arrived = top_ups_after(figures, as_of)
    zero = None
    if row.runs_out_on is not None:
        zero = DateBand(row.runs_out_on, row.runs_out_earliest, row.runs_out_latest)
    threshold = None
    if row.low_balance_threshold is not None and row.forecast_status in ("forecast", "beyond_horizon"):
        read = day_figures(relevant(days, as_of))  # what the stored forecast read
        level, earlier = row.low_balance_threshold, forecast_months(organization_id, days, as_of)
        threshold = forecast_depletion(read, as_of=as_of, threshold=level, arrived=arrived, earlier=earlier).threshold
    closing = next((day for day in reversed(days) if day.day == as_of), None)
    return ForecastView(
        as_of=as_of,
        method=row.forecast_method,
        history_days=row.forecast_history_days,
        status=row.forecast_status,
        reason=row.forecast_reason,
        balance=closing.closing_balance + arrived if closing and closing.closing_balance is not None else None,
        balance_currency=closing.balance_currency if closing else None,
        zero=zero,
        threshold=threshold,
        month=project_month(figures, first_day=first_day, as_of=as_of),
        month_currency=next((day.spend_currency for day in reversed(days) if day.spend_currency), None),
    )


def _days(organization_id: int, first: date, last: date) -> list[DailyFigures]:
    rows = db.session.execute(
        select(*(DAILY.c[name] for name in SUMMARY_FIELDS))
        .where(DAILY.c.organization_id == organization_id, DAILY.c.day >= first, DAILY.c.day <= last)
        .order_by(DAILY.c.day)
    )
    return [DailyFigures(**row._mapping) for row in rows]
