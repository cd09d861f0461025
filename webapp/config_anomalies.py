"""The spend-anomaly thresholds from the environment (SPEC §9, docs/forecasting.md "Spend anomalies"):
config.load_config calls anomaly_params with the environment it read; a malformed value stops the start with
a message naming the variable."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from webapp.domain.anomalies import AnomalyParams

MAX_QUIET_DAYS = 90
PLAIN = re.compile(r"\+?[0-9]{1,11}(\.[0-9]*)?")
CEILING = Decimal(10) ** 10  # an amount's bound (NUMERIC(19, 8))


def anomaly_params(environ: dict[str, str], error: type[Exception]) -> AnomalyParams:
    """AnomalyParams with what the environment sets: ANOMALY_MIN_HISTORY_DAYS (7 … the 28-day window),
    ANOMALY_MIN_EXCESS (money, above 0), ANOMALY_MIN_RATIO (above 1), ANOMALY_MAD_FACTOR (above 0),
    ANOMALY_QUIET_DAYS (1 … 90); the rest keep their defaults."""
    default = AnomalyParams()

    def whole(name: str, value: int, low: int, high: int) -> int:
        raw = environ.get(name, str(value)).strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 4 or not low <= int(raw) <= high:
            raise error(f"{name} must be a whole number of days from {low} to {high}, got {raw[:40]!r}")
        return int(raw)

    def above(name: str, value: Decimal, floor: int) -> Decimal:
        raw = environ.get(name, str(value)).strip()
        try:  # plain ASCII decimals only: no exponent, underscores or other scripts' digits
            number = Decimal(raw) if PLAIN.fullmatch(raw) else Decimal("NaN")
        except InvalidOperation:
            number = Decimal("NaN")
        exponent = number.as_tuple().exponent
        if not number.is_finite() or not floor < number < CEILING or (isinstance(exponent, int) and exponent < -8):
            raise error(f"{name} must be a number above {floor} and below 10^10 (at most 8 decimals), got {raw[:40]!r}")
        return number

    return replace(
        default,
        min_history_days=whole("ANOMALY_MIN_HISTORY_DAYS", default.min_history_days, 7, default.window_days),
        min_excess=above("ANOMALY_MIN_EXCESS", default.min_excess, 0),
        min_ratio=above("ANOMALY_MIN_RATIO", default.min_ratio, 1),
        mad_factor=above("ANOMALY_MAD_FACTOR", default.mad_factor, 0),
        quiet_days=whole("ANOMALY_QUIET_DAYS", default.quiet_days, 1, MAX_QUIET_DAYS),
    )
