"""Portfolio (`/`): every visible organisation, searchable, filterable, sortable, paged (downloads: exports.py)."""

from __future__ import annotations

from flask import Response, current_app
from flask_login import current_user, login_required

from webapp.dashboard.blueprint import bp
from webapp.models.types import utcnow
from webapp.queries.portfolio import FILTERS, SORTS, PortfolioParams, portfolio_page
from webapp.web import params
from webapp.web.htmx import render_page_or_partial


def _params(*, paged: bool = True) -> PortfolioParams:
    chosen = params.choice("filter", ("all", *FILTERS), "all")
    return PortfolioParams(
        q=params.search_text(),
        filter=None if chosen == "all" else chosen,
        sort=params.choice("sort", SORTS, "name"),
        desc=params.direction(),
        page=params.positive_int("page", 1) if paged else 1,
    )


@bp.get("/")
@login_required
def index() -> Response:
    page = portfolio_page(
        current_user, _params(), now=utcnow(), interval_hours=current_app.config["COLLECT_INTERVAL_HOURS"]
    )
    return render_page_or_partial("pages/portfolio.html", "partials/portfolio_table.html", page=page)
