"""Read side for the forecasts (SPEC §9, docs/forecasting.md): the read model's daily figures as the plain
DayFigure values webapp/domain/forecast.py takes, and the forecasts the dashboard draws from them.
Functions take the organisation first and never commit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, null, select

from webapp.domain.forecast import (
    DayFigure,
    DepletionForecast,
    ForecastParams,
    MonthProjection,
    forecast_depletion,
    project_month,
    top_ups_after,
)
from webapp.domain.money import stored_decimal
from webapp.extensions import db
from webapp.models import OrganizationDailyFigure

HISTORY_DAYS = ForecastParams().window_days + 31  # the model's window plus the month whose fees recur
LONG_HISTORY_DAYS = ForecastParams().long_window_days  # the depletion forecast's long-run level


def last_completed_day(today: date) -> date:
    """A forecast reads completed UTC days only: today's row is still partial."""
    return today - timedelta(days=1)


def day_figures(organization_id: int, *, since: date, until: date) -> list[DayFigure]:
    """The daily figures of [since, until], oldest first; usage is the sum of the day's spend by service, read on
    a month's first day only: the model reads usage there alone (DayFigure.fixed_fees), so the other days' spend
    by service is neither sent nor decoded (a year of it was most of the organisation page's time)."""
    figure = OrganizationDailyFigure
    first_day = func.extract("day", figure.day) == 1
    rows = db.session.execute(
        select(
            figure.day,
            figure.spend,
            figure.top_ups,
            figure.closing_balance,
            case((first_day, figure.spend_by_service), else_=null()),
            figure.balance_currency,
        )
        .where(figure.organization_id == organization_id, figure.day >= since, figure.day <= until)
        .order_by(figure.day)
    )
    return [
        DayFigure(day, spend, top_ups, closing, _usage(by_service), currency)
        for day, spend, top_ups, closing, by_service, currency in rows
    ]


def _usage(by_service: dict[str, str] | None) -> Decimal:
    if not by_service:
        return Decimal(0)
    amounts = [stored_decimal(value) for value in by_service.values()]
    return sum((amount for amount in amounts if amount is not None), Decimal(0))


def depletion_forecast(organization_id: int, *, today: date, threshold: Decimal | None) -> DepletionForecast:
    """When the balance runs out, as of the last completed UTC day before `today`, with today's top-ups."""
    as_of = last_completed_day(today)
    days = day_figures(organization_id, since=as_of - timedelta(days=LONG_HISTORY_DAYS), until=today)
    return forecast_depletion(days, as_of=as_of, threshold=threshold, arrived=top_ups_after(days, as_of))


def month_projection(organization_id: int, *, first_day: date, today: date) -> MonthProjection:
    """Where the month starting on `first_day` ends, as of the last completed UTC day before `today`
    (a closed month: its actual)."""
    as_of = last_completed_day(today)
    since = min(first_day, as_of - timedelta(days=HISTORY_DAYS))
    return project_month(day_figures(organization_id, since=since, until=as_of), first_day=first_day, as_of=as_of)
