"""Jinja filters and globals: money in its currency, quantities, timestamps in the viewer's time zone with
its label (webapp/web/timezones.py), asset URLs."""

from __future__ import annotations

from datetime import date

from babel import Locale
from flask import Flask

from webapp.domain.money import format_money, format_money_usual, format_quantity
from webapp.web import cells
from webapp.web.assets import asset_url
from webapp.web.cells import plain_amount
from webapp.web.timezones import LOCALE, full_time, local_date, local_time, time_ago, zone_name


def day_month_year(day: date) -> str:
    """A calendar day as people read it ("15 Dec 2026"): Babel's "d MMM y", its month names, built directly
    (tests/web/test_time_formats_match_babel.py holds it to Babel's)."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


_MONTHS = Locale.parse(LOCALE).months["format"]["abbreviated"]


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["money_usual"] = format_money_usual
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.filters["plain_amount"] = plain_amount
    app.jinja_env.filters["local_time"] = local_time
    # The name templates have called since timestamps were UTC-only; it now shows the viewer's zone, labelled.
    app.jinja_env.filters["utc"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["full_time"] = full_time
    app.jinja_env.filters["time_ago"] = time_ago
    app.jinja_env.filters["day_month_year"] = day_month_year
    app.jinja_env.globals["zone_name"] = zone_name
    app.jinja_env.globals["asset_url"] = asset_url
    for cell in (cells.stamp, cells.ago, cells.usual, cells.signed, cells.amount_cell):
        app.jinja_env.globals[cell.__name__] = cell
