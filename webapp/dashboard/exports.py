"""The dashboard's downloads (SPEC §7): each as a spreadsheet CSV and as its .xlsx twin, under the same
access rules as the pages they come from (a manager gets a 404 for an organisation not assigned to them)."""

from __future__ import annotations

from datetime import tzinfo

from flask import Response, abort, current_app
from flask_login import current_user, login_required

from webapp.dashboard.access import organization_or_404
from webapp.dashboard.blueprint import bp
from webapp.dashboard.organizations import DEFAULT_RANGE, RANGES, range_start
from webapp.dashboard.portfolio import portfolio_params
from webapp.models.types import utcnow
from webapp.queries.balances import history_with_changes
from webapp.queries.costs import month_breakdown
from webapp.queries.portfolio import portfolio_all
from webapp.services.export_tables import Table, cost_table, history_table, portfolio_table
from webapp.web import params
from webapp.web.csv import spreadsheet_csv_response
from webapp.web.notfound import found_or_404
from webapp.web.timezones import current_zone
from webapp.web.xlsx import xlsx_response


def export_zone() -> tzinfo:
    """The zone the downloads' timestamps are written in and labelled with: the signed-in user's (SPEC §11)."""
    return current_zone()


def _download(table: Table, stem: str, extension: str) -> Response:
    filename = f"{stem}.{extension}"
    return spreadsheet_csv_response(table, filename) if extension == "csv" else xlsx_response(table, filename)


@bp.get("/portfolio.csv", endpoint="portfolio_csv", defaults={"extension": "csv"})
@bp.get("/portfolio.xlsx", endpoint="portfolio_xlsx", defaults={"extension": "xlsx"})
@login_required
def portfolio_export(extension: str) -> Response:
    """The portfolio as shown (search, filter, sort), every page of it."""
    interval = current_app.config["COLLECT_INTERVAL_HOURS"]
    rows = portfolio_all(current_user, portfolio_params(paged=False), now=utcnow(), interval_hours=interval)
    return _download(portfolio_table(rows, zone=export_zone()), f"portfolio-{utcnow():%Y-%m-%d}", extension)


@bp.get("/orgs/<int:organization_id>/balance.csv", endpoint="balance_csv", defaults={"extension": "csv"})
@bp.get("/orgs/<int:organization_id>/balance.xlsx", endpoint="balance_xlsx", defaults={"extension": "xlsx"})
@login_required
def balance_export(organization_id: int, extension: str) -> Response:
    """Every balance movement in the chart's range, newest first."""
    org = organization_or_404(organization_id)
    range_key = params.choice("range", tuple(RANGES), DEFAULT_RANGE)
    movements = history_with_changes(org.id, range_start(range_key, utcnow()))
    stem = f"balance-history-org{org.id}-{range_key}-{utcnow():%Y-%m-%d}"
    return _download(history_table(org, movements, zone=export_zone()), stem, extension)


@bp.get("/orgs/<int:organization_id>/costs.csv", endpoint="costs_csv", defaults={"extension": "csv"})
@bp.get("/orgs/<int:organization_id>/costs.xlsx", endpoint="costs_xlsx", defaults={"extension": "xlsx"})
@login_required
def costs_export(organization_id: int, extension: str) -> Response:
    """The month as the page showed it: usage lines, fees, total (pass `snapshot` to pin that snapshot)."""
    org = organization_or_404(organization_id)
    month = params.month()
    if month is None:
        abort(400, description="Say which month to export, as month=YYYY-MM.")
    breakdown = found_or_404(
        month_breakdown(org.id, month, snapshot_id=params.optional_int("snapshot")),
        "There is no cost data for that month.",
    )
    return _download(cost_table(org, breakdown, zone=export_zone()), f"costs-org{org.id}-{month.key}", extension)
