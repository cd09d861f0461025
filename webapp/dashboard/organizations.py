"""Organisation page (`/orgs/<id>`): profile, balance card, step chart with a range picker, movements."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, current_app
from flask_login import login_required

from webapp.charts import to_json
from webapp.charts.balance import balance_figure
from webapp.dashboard.access import organization_or_404
from webapp.dashboard.blueprint import bp
from webapp.models.types import utcnow
from webapp.queries.balances import balance_card, balance_series, recent_movements
from webapp.web import params
from webapp.web.htmx import is_htmx_partial, render_page_or_partial

RANGES: dict[str, timedelta | None] = {
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "1y": timedelta(days=365),
    "all": None,
}
DEFAULT_RANGE = "90d"


def range_start(range_key: str, now: datetime) -> datetime | None:
    span = RANGES[range_key]
    return None if span is None else now - span


@bp.get("/orgs/<int:organization_id>")
@login_required
def organization(organization_id: int) -> Response:
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
