"""The account managers' dashboard: portfolio, organisation page, monthly costs, alerts, exports (CSV and XLSX)."""

from __future__ import annotations

from webapp.dashboard import alerts, costs, exports, organizations, portfolio
from webapp.dashboard.blueprint import bp

__all__ = ["alerts", "bp", "costs", "exports", "organizations", "portfolio"]
