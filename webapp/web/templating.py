"""Jinja filters and globals: money in its currency, quantities, timestamps in the viewer's time zone with
its label (webapp/web/timezones.py), asset URLs."""

from __future__ import annotations

from flask import Flask

from webapp.domain.money import format_money, format_money_usual, format_quantity
from webapp.web import cells
from webapp.web.assets import asset_url
from webapp.web.cells import plain_amount
from webapp.web.timezones import full_time, local_time, zone_name


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["money_usual"] = format_money_usual
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.filters["plain_amount"] = plain_amount
    app.jinja_env.filters["local_time"] = local_time
    # The name templates have called since timestamps were UTC-only; it now shows the viewer's zone, labelled.
    app.jinja_env.filters["utc"] = local_time
    app.jinja_env.filters["full_time"] = full_time
    app.jinja_env.globals["zone_name"] = zone_name
    app.jinja_env.globals["asset_url"] = asset_url
    # The cells of every table (stamps, "3 hours ago", amounts), built in Python: webapp/web/cells.py.
    for cell in (cells.stamp, cells.ago, cells.usual, cells.signed, cells.amount_cell):
        app.jinja_env.globals[cell.__name__] = cell
