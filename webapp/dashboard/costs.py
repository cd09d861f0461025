"""Monthly cost page (`/orgs/<id>/costs?month=YYYY-MM`): month picker, breakdown, usage lines (downloads: exports)."""

from __future__ import annotations

from datetime import datetime

from flask import Response
from flask_login import login_required

from webapp.charts import to_json
from webapp.charts.costs import accrual_figure, service_figure, with_previous_month
from webapp.charts.projections import with_month_projection
from webapp.dashboard.access import organization_or_404
from webapp.dashboard.blueprint import bp
from webapp.domain.forecast import MonthProjection
from webapp.domain.months import Month
from webapp.models.types import utcnow
from webapp.queries.costs import (
    LINE_SORTS,
    Breakdown,
    MonthOption,
    month_accrual,
    month_breakdown,
    months_with_data,
    sort_lines,
)
from webapp.queries.forecasts import month_projection
from webapp.web import params
from webapp.web.htmx import render_page_or_partial


@bp.get("/orgs/<int:organization_id>/costs")
@login_required
def costs(organization_id: int) -> Response:
    org = organization_or_404(organization_id)
    now = utcnow()
    months = months_with_data(org.id, now)
    month = params.month() or (months[0].month if months else Month.of(now))
    sort = params.choice("sort", LINE_SORTS, "amount")
    desc = params.choice("dir", ("asc", "desc"), "desc") == "desc"
    breakdown = month_breakdown(org.id, month)
    projection = None if breakdown is None else month_projection(org.id, first_day=month.start.date(), today=now.date())
    return render_page_or_partial(
        "pages/costs.html",
        "partials/cost_breakdown.html",
        org=org,
        months=months,
        month=month.key,
        accruing=now < month.end,
        reported_after=breakdown is not None and bool(breakdown.accrual) and breakdown.accrual[0][0] >= month.end,
        breakdown=breakdown,
        lines=sort_lines(breakdown.lines, sort, desc) if breakdown else [],
        sort=sort,
        desc=desc,
        projection=projection,
        figures=_figures(org.id, breakdown, month, projection),
        **_neighbours(month, months, now),
    )


def _neighbours(month: Month, months: list[MonthOption], now: datetime) -> dict[str, object]:
    """Previous/next month, offered only between the oldest month with data and today."""
    return {
        "previous_month": month.previous.key,
        "next_month": month.next.key,
        "has_previous": bool(months) and month.previous >= months[-1].month,
        "has_next": month.next <= max([*(option.month for option in months), Month.of(now)]),
    }


def _figures(
    organization_id: int, breakdown: Breakdown | None, month: Month, projection: MonthProjection | None
) -> dict[str, str] | None:
    """The service bars and the accrual chart with the previous month's curve and the projection."""
    if breakdown is None:
        return None
    currency = breakdown.snapshot.currency
    accrual = accrual_figure(breakdown.accrual, currency, (month.start, month.end))
    previous = month_accrual(organization_id, month.previous, currency)
    shift = month.start - month.previous.start
    accrual = with_previous_month(accrual, previous, currency, shift=shift, until=month.end)
    if projection is not None:
        accrual = with_month_projection(accrual, projection, currency, month.end)
    return {
        "services": to_json(service_figure(breakdown.by_service, currency)),
        "accrual": to_json(accrual),
    }
