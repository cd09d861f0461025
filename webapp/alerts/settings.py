"""The alert rules' settings: the configured defaults (webapp/config.py, ALERT_*)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from webapp.domain.alerts import AlertSettings


def default_settings(config: Mapping[str, Any]) -> AlertSettings:
    days = tuple(config.get("ALERT_RUNWAY_DAYS", (14, 7, 2)))
    return AlertSettings(
        low_balance_band=Decimal(config.get("ALERT_LOW_BALANCE_BAND_PERCENT", 10)) / 100,
        runway_days=(days[0], days[1], days[2]),
        runway_margin_days=int(config.get("ALERT_RUNWAY_MARGIN_DAYS", 2)),
        failing_streak=int(config.get("ALERT_FAILING_STREAK", 3)),
    )
