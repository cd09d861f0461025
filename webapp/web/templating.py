"""Jinja filters and globals: money in its currency, quantities, times in UTC labelled as such, asset URLs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Flask

from webapp.domain.money import format_amount, format_money, format_money_usual, format_quantity, is_displayable
from webapp.web.assets import asset_url


def utc(moment: datetime | None, with_label: bool = True) -> str:
    if moment is None:
        return "never"
    text = moment.strftime("%Y-%m-%d %H:%M")
    return f"{text} UTC" if with_label else text


def plain_amount(value: Decimal) -> str:
    """The plain decimal form (as in forms and CSV); an undisplayable stored value is named as such."""
    return format_amount(value) if is_displayable(value) else "invalid value"


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["money_usual"] = format_money_usual
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.filters["plain_amount"] = plain_amount
    app.jinja_env.filters["utc"] = utc
    app.jinja_env.globals["asset_url"] = asset_url
