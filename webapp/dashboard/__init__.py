"""The account managers' dashboard: portfolio, organisation page, monthly costs, CSV exports."""

from __future__ import annotations

from webapp.dashboard import alerts, costs, organizations, portfolio
from webapp.dashboard.blueprint import bp

__all__ = ["alerts", "bp", "costs", "organizations", "portfolio"]
