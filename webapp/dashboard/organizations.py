"""Organisation page (`/orgs/<id>`): profile, balance card, step chart with a range picker, movements."""

from __future__ import annotations

from flask import Response, abort, current_app
from flask_login import current_user, login_required

from webapp.charts import to_json
from webapp.charts.balance import balance_figure
from webapp.dashboard import bp, params
from webapp.dashboard.htmx import is_htmx_partial, render_page_or_partial
from webapp.models import Organization
from webapp.models.types import utcnow
from webapp.queries.org_page import (
    DEFAULT_RANGE,
    RANGES,
    balance_card,
    balance_series,
    history_with_changes,
    range_start,
    recent_movements,
    visible_organization,
)
from webapp.services.exports import HISTORY_HEADER, history_csv_rows
from webapp.web.csv import csv_response


def organization_or_404(organization_id: int) -> Organization:
    """Managers reach only their assigned organisations; anything else is a 404, guessed ids included."""
    organization = visible_organization(current_user, organization_id)
    if organization is None:
        abort(404, description="There is no organisation with that number that you can see.")
    return organization


@bp.get("/orgs/<int:organization_id>")
@login_required
def organization(organization_id: int):
    org = organization_or_404(organization_id)
    range_key = params.choice("range", tuple(RANGES), DEFAULT_RANGE)
    now = utcnow()
    card = balance_card(org, now=now, interval_hours=current_app.config["COLLECT_INTERVAL_HOURS"])
    points = balance_series(org.id, range_start(range_key, now))
    figure = to_json(balance_figure(points, now=now, currency=card.currency))
    return render_page_or_partial(
        "pages/organization.html",
        "partials/balance_chart.html",
        org=org,
        card=card,
        range_key=range_key,
        ranges=RANGES,
        figure=figure,
        movement_count=len(points),
        movements=None if is_htmx_partial() else recent_movements(org.id),
    )


@bp.get("/orgs/<int:organization_id>/balance.csv")
@login_required
def balance_csv(organization_id: int) -> Response:
    org = organization_or_404(organization_id)
    range_key = params.choice("range", tuple(RANGES), DEFAULT_RANGE)
    movements = history_with_changes(org.id, range_start(range_key, utcnow()))
    return csv_response(
        HISTORY_HEADER,
        history_csv_rows(org, movements),
        f"balance-history-org{org.id}-{range_key}-{utcnow():%Y-%m-%d}.csv",
    )
