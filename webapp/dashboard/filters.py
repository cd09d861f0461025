"""Template filters the dashboard adds: quantities with grouping, trimmed of needless zeros."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from webapp.dashboard import bp
from webapp.templating import LOCALE


@bp.app_template_filter("qty")
def quantity(value: Decimal | None) -> str:
    if value is None:
        return "—"
    digits = max(0, min(4, -value.normalize().as_tuple().exponent))
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0", locale=LOCALE)
