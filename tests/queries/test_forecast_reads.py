"""The forecasts' read side (webapp/queries/forecasts.py) reads a day's spend by service on a month's first day
only, where the model splits the subscription from usage: the figures it gives the model, and so the forecasts,
are those of every day's services read in full."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from tests.factories import make_org
from webapp.domain.forecast import forecast_depletion, project_month
from webapp.extensions import db
from webapp.models import OrganizationDailyFigure
from webapp.queries.forecasts import day_figures, depletion_forecast, month_projection

FIRST = date(2026, 9, 1)
DAYS = 75  # 1 September … 14 November: three first days of a month


def _services(day: date) -> dict[str, str]:
    weekday = day.weekday() < 5
    return {"compute": "12.50" if weekday else "3.25", "storage": "4.00"}


def _spend(day: date) -> Decimal:
    usage = sum((Decimal(amount) for amount in _services(day).values()), Decimal(0))
    return usage + (Decimal("99.00") if day.day == 1 else 0)  # the subscription, billed on the 1st


def test_the_first_days_fees_are_split_and_the_forecasts_match_a_full_read(app):
    org = make_org(name="Fees")
    balance, rows = Decimal("5000.00"), []
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        balance -= _spend(day)
        rows.append(
            {
                "organization_id": org.id,
                "day": day,
                "closing_balance": balance,
                "balance_currency": "EUR",
                "top_ups": Decimal(0),
                "spend": _spend(day),
                "spend_currency": "EUR",
                "spend_by_service": _services(day),
            }
        )
    db.session.execute(insert(OrganizationDailyFigure), rows)
    last = FIRST + timedelta(days=DAYS - 1)
    read = day_figures(org.id, since=FIRST, until=last)
    assert [figure.fixed_fees for figure in read if figure.day.day == 1] == [Decimal("99.00")] * 3
    assert all(figure.fixed_fees == 0 for figure in read if figure.day.day != 1)
    full = [replace(figure, usage=_spend(figure.day) - (99 if figure.day.day == 1 else 0)) for figure in read]
    today = last + timedelta(days=1)
    assert depletion_forecast(org.id, today=today, threshold=None) == forecast_depletion(full, as_of=last)
    november = date(2026, 11, 1)
    assert month_projection(org.id, first_day=november, today=today) == project_month(
        full, first_day=november, as_of=last
    )
