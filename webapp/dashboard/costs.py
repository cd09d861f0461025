"""Monthly cost page (`/orgs/<id>/costs?month=YYYY-MM`): month picker, breakdown, usage lines CSV."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort
from flask_login import login_required

from webapp.charts import to_json
from webapp.charts.costs import accrual_figure, service_figure
from webapp.dashboard import bp, params
from webapp.dashboard.htmx import render_page_or_partial
from webapp.dashboard.organizations import organization_or_404
from webapp.models.types import utcnow
from webapp.queries.cost_page import (
    LINE_SORTS,
    Breakdown,
    MonthOption,
    month_breakdown,
    month_key,
    months_with_data,
    shift_month,
    sort_lines,
)
from webapp.queries.costs import month_bounds
from webapp.services.exports import USAGE_HEADER, usage_csv_rows
from webapp.web.csv import csv_response


@bp.get("/orgs/<int:organization_id>/costs")
@login_required
def costs(organization_id: int):
    org = organization_or_404(organization_id)
    now = utcnow()
    months = months_with_data(org.id, now)
    year, month = params.month() or ((months[0].year, months[0].month) if months else (now.year, now.month))
    sort = params.choice("sort", LINE_SORTS, "amount")
    desc = params.choice("dir", ("asc", "desc"), "desc") == "desc"
    breakdown = month_breakdown(org.id, year, month)
    return render_page_or_partial(
        "pages/costs.html",
        "partials/cost_breakdown.html",
        org=org,
        months=months,
        month=month_key(year, month),
        accruing=now < month_bounds(year, month)[1],
        breakdown=breakdown,
        lines=sort_lines(breakdown.lines, sort, desc) if breakdown else [],
        sort=sort,
        desc=desc,
        figures=_figures(breakdown, year, month),
        **_neighbours(year, month, months, now),
    )


def _neighbours(year: int, month: int, months: list[MonthOption], now: datetime) -> dict:
    """Previous/next month keys, offered only between the oldest month with data and today."""
    keys = [option.key for option in months]
    previous_key, next_key = month_key(*shift_month(year, month, -1)), month_key(*shift_month(year, month, 1))
    return {
        "previous_month": previous_key,
        "next_month": next_key,
        "has_previous": bool(keys) and previous_key >= keys[-1],
        "has_next": next_key <= max([*keys, month_key(now.year, now.month)]),
    }


def _figures(breakdown: Breakdown | None, year: int, month: int) -> dict[str, str] | None:
    if breakdown is None:
        return None
    currency = breakdown.snapshot.currency
    return {
        "services": to_json(service_figure(breakdown.by_service, currency)),
        "accrual": to_json(accrual_figure(breakdown.accrual, currency, month_bounds(year, month))),
    }


@bp.get("/orgs/<int:organization_id>/costs.csv")
@login_required
def costs_csv(organization_id: int) -> Response:
    """The usage lines of the month as the page showed them (pass `snapshot` to pin that exact snapshot)."""
    org = organization_or_404(organization_id)
    year_month = params.month()
    if year_month is None:
        abort(400, description="Say which month to export, as month=YYYY-MM.")
    breakdown = month_breakdown(org.id, *year_month, snapshot_id=params.optional_int("snapshot"))
    if breakdown is None:
        abort(404, description="There is no cost data for that month.")
    return csv_response(
        USAGE_HEADER,
        usage_csv_rows(org, breakdown.snapshot, breakdown.lines),
        f"usage-org{org.id}-{month_key(*year_month)}.csv",
    )
