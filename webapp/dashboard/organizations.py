"""Organisation page (`/orgs/<id>`): profile, balance card, step chart with a range picker, movements.

The chart draws every change point of the ledger for the short ranges and the read model's daily
closing balances for the long ones (DAILY_RANGES; docs/data-model.md, "Balance chart")."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, current_app
from flask_login import login_required

from webapp.charts import in_zone, to_json
from webapp.charts.balance import balance_figure, daily_balance_figure
from webapp.charts.projections import with_depletion
from webapp.dashboard.access import organization_or_404
from webapp.dashboard.blueprint import bp
from webapp.domain.forecast import DepletionForecast
from webapp.models import Organization
from webapp.models.types import utcnow
from webapp.queries.anomalies import recent_episodes
from webapp.queries.balances import (
    BalanceCard,
    balance_card,
    balance_series,
    daily_closes,
    first_balance_at,
    recent_movements,
)
from webapp.queries.forecasts import depletion_forecast
from webapp.web import params
from webapp.web.htmx import is_htmx_partial, render_page_or_partial
from webapp.web.timezones import current_zone

RANGES: dict[str, timedelta | None] = {
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "1y": timedelta(days=365),
    "all": None,
}
DEFAULT_RANGE = "90d"
DAILY_RANGES = frozenset({"1y", "all"})  # a year of change points is ~1,300 rows; its days are 365


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
    forecast = depletion_forecast(org.id, today=now.date(), threshold=org.low_balance_threshold)
    return render_page_or_partial(
        "pages/organization.html",
        "partials/balance_chart.html",
        org=org,
        card=card,
        range_key=range_key,
        ranges=RANGES,
        forecast=forecast,
        **drawn_in_my_zone(org, card, range_key, now, forecast),
        movements=None if is_htmx_partial() else recent_movements(org.id),
        anomalies=None if is_htmx_partial() else recent_episodes(org.id),
    )


def drawn_in_my_zone(
    org: Organization, card: BalanceCard, range_key: str, now: datetime, forecast: DepletionForecast
) -> dict[str, object]:
    """The chart's times in the viewer's zone (SPEC §11); its days stay UTC days, as money is counted."""
    with in_zone(current_zone()):
        return chart_context(org, card, range_key, now, forecast)


def chart_context(
    org: Organization, card: BalanceCard, range_key: str, now: datetime, forecast: DepletionForecast
) -> dict[str, object]:
    """The figure (from change points or daily closing balances, with the depletion projection), how many
    points it was drawn from, and, when the range reaches back before the history, when it starts."""
    since = range_start(range_key, now)
    threshold = org.low_balance_threshold
    daily = range_key in DAILY_RANGES
    if daily:
        days = daily_closes(org.id, since)
        figure = daily_balance_figure(days, now=now, currency=card.currency, threshold=threshold, start=since)
        count = len(days)
    else:
        points = balance_series(org.id, since)
        figure, count = balance_figure(points, now=now, currency=card.currency, threshold=threshold), len(points)
    started = first_balance_at(org.id) if count and since is not None else None
    if started is not None and since is not None and started <= since:
        started = None  # the history fills the range
    return {
        "figure": to_json(with_depletion(figure, forecast, card.currency)),
        "point_count": count,
        "daily": daily,
        "history_started": started,
        "history_days": None if started is None else max(1, round((now - started) / timedelta(days=1))),
    }
