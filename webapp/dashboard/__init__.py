"""The account managers' dashboard: portfolio, organisation page, monthly costs, CSV exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from webapp.dashboard import assets, costs, filters, organizations, portfolio  # noqa: E402, F401 - registers the views
