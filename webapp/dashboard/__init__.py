"""The account managers' dashboard: portfolio, organisation page, monthly costs, alerts, exports (CSV and XLSX)."""

from __future__ import annotations

from webapp.dashboard import alerts, anomalies, costs, exports, organizations, portfolio
from webapp.dashboard.blueprint import bp

__all__ = ["alerts", "anomalies", "bp", "costs", "exports", "organizations", "portfolio"]
