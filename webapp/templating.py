"""Jinja filters: money in its currency (Babel), times in UTC labelled as such."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel.numbers import format_currency
from flask import Flask

LOCALE = "en_GB"


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None or currency is None:
        return "—"
    digits = max(2, min(4, -amount.normalize().as_tuple().exponent))
    return format_currency(
        amount, currency, locale=LOCALE, format="¤#,##0." + "0" * 2 + "#" * (digits - 2), currency_digits=False
    )


def utc(moment: datetime | None, with_label: bool = True) -> str:
    if moment is None:
        return "never"
    text = moment.strftime("%Y-%m-%d %H:%M")
    return f"{text} UTC" if with_label else text


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["utc"] = utc
