"""The account managers' dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from webapp.queries.organizations import portfolio_rows

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("pages/portfolio.html", rows=portfolio_rows(current_user))
