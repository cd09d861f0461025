"""Read side for the forecasts (SPEC §9, docs/forecasting.md): the read model's daily figures as the plain
DayFigure values webapp/domain/forecast.py takes, and the forecasts the dashboard draws from them.
Functions take the organisation first and never commit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, null, select

from webapp.domain.forecast import (
    DayFigure,
    DepletionForecast,
    ForecastParams,
    MonthProjection,
    PastMonth,
    forecast_depletion,
    project_month,
    top_ups_after,
)
from webapp.domain.money import stored_decimal
from webapp.domain.months import Month
from webapp.domain.spend_model import PAST_MONTHS
from webapp.extensions import db
from webapp.models import CostSnapshot, OrganizationDailyFigure

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
    history = [figure for figure in days if figure.day <= as_of]  # (the months before: the long-run level's)
    earlier = []
    if history and history[-1].day == as_of and len(history) < ForecastParams().long_window_days:
        earlier = past_months(organization_id, before=history[0].day, currency=history[-1].balance_currency)
    return forecast_depletion(
        days, as_of=as_of, threshold=threshold, arrived=top_ups_after(days, as_of), earlier=earlier
    )


def past_months(organization_id: int, *, before: date, currency: str | None) -> list[PastMonth]:
    """The provider's latest report of each closed month before `before`'s month (at most PAST_MONTHS back)
    billed in `currency`, newest first, as the long-run level reads them: the variable spend is the usage
    (the lines whose stored amount is a sane number), or the total when the report has no such line."""
    if currency is None:
        return []
    first = Month(before.year, before.month)
    index = CostSnapshot.year * 12 + CostSnapshot.month
    bounds = and_(index < first.year * 12 + first.month, index >= first.year * 12 + first.month - PAST_MONTHS)
    owned = CostSnapshot.organization_id == organization_id
    latest = (
        select(CostSnapshot.year, CostSnapshot.month, func.max(CostSnapshot.collected_at).label("at"))
        .where(owned, bounds)
        .group_by(CostSnapshot.year, CostSnapshot.month)
        .subquery()
    )
    rows = db.session.execute(
        select(CostSnapshot.year, CostSnapshot.month, CostSnapshot.total, CostSnapshot.usage_lines)
        .join(
            latest,
            and_(
                latest.c.year == CostSnapshot.year,
                latest.c.month == CostSnapshot.month,
                latest.c.at == CostSnapshot.collected_at,
            ),
        )
        .where(owned, CostSnapshot.currency == currency)
        .order_by(CostSnapshot.year.desc(), CostSnapshot.month.desc())
    )
    return [PastMonth(date(year, month, 1), _variable(total, lines)) for year, month, total, lines in rows]


def _variable(total: Decimal, usage_lines: object) -> Decimal:
    lines = usage_lines if isinstance(usage_lines, list) else []
    amounts = [stored_decimal(line.get("amount")) for line in lines if isinstance(line, dict)]
    usage = [amount for amount in amounts if amount is not None]
    return sum(usage, Decimal(0)) if usage else total


def month_projection(organization_id: int, *, first_day: date, today: date) -> MonthProjection:
    """Where the month starting on `first_day` ends, as of the last completed UTC day before `today`
    (a closed month: its actual)."""
    as_of = last_completed_day(today)
    since = min(first_day, as_of - timedelta(days=HISTORY_DAYS))
    return project_month(day_figures(organization_id, since=since, until=as_of), first_day=first_day, as_of=as_of)
