"""The account managers' dashboard: portfolio, organisation page, monthly costs, exports (CSV and XLSX)."""

from __future__ import annotations

from webapp.dashboard import costs, exports, organizations, portfolio
from webapp.dashboard.blueprint import bp

__all__ = ["bp", "costs", "exports", "organizations", "portfolio"]
