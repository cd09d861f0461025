"""Cost charts: the month by service (bars) and how the month's total grew (step line), with the previous
month's curve at the same elapsed days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from webapp.charts import ACCENT, BASE_LAYOUT, CONFIG, chart_time, plain
from webapp.domain.money import format_money_usual
from webapp.queries.costs import Share


def service_figure(services: Sequence[Share], currency: str) -> dict:
    """Horizontal bars, largest on top; service names escaped before they reach Plotly."""
    ordered = list(reversed(services))
    names = [plain(share.name) for share in ordered]
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": [float(share.amount) for share in ordered],
        "y": names,
        "marker": {"color": ACCENT},
        "customdata": [format_money_usual(share.amount, currency) for share in ordered],
        "hovertemplate": "%{y}<br>%{customdata}<extra></extra>",
    }
    layout = {
        **BASE_LAYOUT,
        "height": max(160, 34 * len(ordered) + 60),
        "margin": {"l": 150, "r": 16, "t": 8, "b": 40},
        "xaxis": {"gridcolor": "#eef1f5", "tickformat": ",~f", "title": {"text": currency}},
        "yaxis": {"automargin": True},
    }
    return {"data": [trace], "layout": layout, "config": CONFIG}


def accrual_figure(
    accrual: Sequence[tuple[datetime, Decimal]], currency: str, month: tuple[datetime, datetime] | None = None
) -> dict:
    """The month's total at each snapshot, keeping only the snapshots where it changed; the x axis
    spans the whole month when given, so an accruing month shows how far it has come."""
    points = [(at, total) for i, (at, total) in enumerate(accrual) if i == 0 or total != accrual[i - 1][1]]
    if accrual and points[-1][0] != accrual[-1][0]:
        points.append(accrual[-1])
    trace = {
        "type": "scatter",
        "mode": "lines" if len(points) > 1 else "markers",  # a lone snapshot has no line to draw
        "name": "this month",
        "line": {"shape": "hv", "color": ACCENT, "width": 2},
        "marker": {"color": ACCENT, "size": 8},
        "x": [chart_time(at) for at, _ in points],
        "y": [float(total) for _, total in points],
        "customdata": [format_money_usual(total, currency) for _, total in points],
        "hovertemplate": "%{x|%Y-%m-%d %H:%M} UTC<br>%{customdata}<extra></extra>",
    }
    layout = {
        **BASE_LAYOUT,
        "height": 220,
        "xaxis": {"type": "date", "gridcolor": "#eef1f5", "title": {"text": "UTC"}, **_month_range(month)},
        "yaxis": {"gridcolor": "#eef1f5", "rangemode": "tozero", "tickformat": ",~f", "title": {"text": currency}},
    }
    return {"data": [trace], "layout": layout, "config": CONFIG}


def _month_range(month: tuple[datetime, datetime] | None) -> dict:
    return {} if month is None else {"range": [chart_time(month[0]), chart_time(month[1])]}


PREVIOUS_COLOR = "#9aa3af"


def with_previous_month(
    figure: dict, previous: Sequence[tuple[datetime, Decimal]], currency: str, *, shift: timedelta, until: datetime
) -> dict:
    """The accrual chart plus the previous month's totals moved by `shift` (this month's start minus the
    previous month's), so both curves share elapsed days; what lies past `until` (this month's end) is cut.
    Drawn first, under this month's line; unchanged when the previous month has no snapshot in range."""
    points = [(at + shift, total) for at, total in previous if at + shift < until]
    if not points:
        return figure
    trace = {
        "type": "scatter",
        "mode": "lines" if len(points) > 1 else "markers",
        "name": "previous month",
        "line": {"shape": "hv", "color": PREVIOUS_COLOR, "width": 1.5},
        "marker": {"color": PREVIOUS_COLOR, "size": 6},
        "x": [chart_time(at) for at, _ in points],
        "y": [float(total) for _, total in points],
        "customdata": [
            f"Previous month, {chart_time(at - shift)} UTC<br>{format_money_usual(total, currency)}"
            for at, total in points
        ],
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    return {**figure, "data": [trace, *figure["data"]]}
