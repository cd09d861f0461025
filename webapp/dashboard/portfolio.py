"""Portfolio (`/`): every visible organisation, searchable, filterable, sortable, paged, per currency and
(admins) per manager (downloads of the list as shown: exports.py)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, current_app, request, url_for
from flask_login import current_user, login_required

from webapp.dashboard.blueprint import bp
from webapp.dashboard.portfolio_rows import portfolio_row
from webapp.extensions import db
from webapp.models import User
from webapp.models.types import utcnow
from webapp.queries.alerts import open_alert_badges
from webapp.queries.portfolio import FILTERS, FIRST_DESCENDING, SORTS, PortfolioParams, portfolio_page
from webapp.queries.portfolio_header import managers
from webapp.web import params
from webapp.web.htmx import is_htmx_partial, render_page_or_partial

CURRENCY = re.compile(r"[A-Z]{3}")


def _manager() -> int | None:
    """Whose portfolio: a manager's id, admins only; anything else is a 400/403 with a plain message."""
    manager_id = params.optional_int("manager")
    if manager_id is None:
        return None
    if not current_user.is_admin:
        abort(403, description="Only admins can look at another manager's portfolio.")
    manager = db.session.get(User, manager_id)
    if manager is None or manager.role != "manager":
        abort(400, description=f"There is no manager with the id {manager_id}.")
    return manager_id


def _currency() -> str | None:
    raw = request.args.get("currency") or None
    if raw is not None and not CURRENCY.fullmatch(raw):
        abort(400, description="“currency” must be a three-letter currency code, for example EUR.")
    return raw


def portfolio_params(*, paged: bool = True) -> PortfolioParams:
    chosen = params.choice("filter", ("all", *FILTERS), "all")
    return PortfolioParams(
        q=params.search_text(),
        filter=None if chosen == "all" else chosen,
        sort=params.choice("sort", SORTS, "name"),
        desc=params.direction(),
        page=params.positive_int("page", 1) if paged else 1,
        manager=_manager(),
        currency=_currency(),
    )


def portfolio_url(p: PortfolioParams, **changes: Any) -> str:
    """The portfolio's URL with this state, some of it changed (the page back to 1 unless given)."""
    state: dict[str, Any] = {
        "q": p.q or None,
        "manager": p.manager,
        "currency": p.currency,
        "filter": p.filter,
        "sort": p.sort,
        "dir": "desc" if p.desc else None,
        "page": None,
    }
    state.update(changes)
    if state["sort"] == "name":
        state["sort"] = None
    if state["filter"] == "all":
        state["filter"] = None
    if state["page"] == 1:
        state["page"] = None
    return url_for("dashboard.index", **{key: value for key, value in state.items() if value is not None})


@bp.get("/")
@login_required
def index() -> Response:
    chosen = portfolio_params()
    page = portfolio_page(
        current_user, chosen, now=utcnow(), interval_hours=current_app.config["COLLECT_INTERVAL_HOURS"]
    )
    pickable = managers() if current_user.is_admin and not is_htmx_partial() else []
    return render_page_or_partial(
        "pages/portfolio.html",
        "partials/portfolio_table.html",
        page=page,
        url=lambda **changes: portfolio_url(chosen, **changes),
        first_descending=FIRST_DESCENDING,
        managers=pickable,
        alert_badges=open_alert_badges([row.id for row in page.rows]),
        portfolio_row=portfolio_row,
    )
