"""Forecasts drawn on the charts (SPEC §9): the balance's path to zero after its last point and the month's
cost to its end, each an expected dashed line with its 80 % band shaded between two edge traces
(Plotly's fill "tonexty": the second edge fills down to the first). Pure functions on figure dicts:
they return a new figure with the traces appended."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from webapp.charts import chart_time
from webapp.charts.balance import day_end
from webapp.domain.forecast import DepletionForecast, MonthProjection
from webapp.domain.money import format_money_usual

PROJECTION_COLOR = "#6d28d9"
BAND_FILL = "rgba(109, 40, 217, 0.14)"
HOVER = "%{customdata}<extra></extra>"


def _line(name: str, xs: list[str], ys: list[float], labels: list[str], line: dict) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": xs,
        "y": ys,
        "customdata": labels,
        "hovertemplate": HOVER,
        "line": line,
    }


def _edge(name: str, xs: list[str], ys: list[float], labels: list[str], *, filled: bool) -> dict:
    """One edge of the 80 % band: no line of its own; the second edge fills to the first."""
    trace = _line(name, xs, ys, labels, {"width": 0, "color": PROJECTION_COLOR})
    if filled:
        trace |= {"fill": "tonexty", "fillcolor": BAND_FILL}
    return trace


def _expected(name: str, xs: list[str], ys: list[float], labels: list[str]) -> dict:
    return _line(name, xs, ys, labels, {"color": PROJECTION_COLOR, "width": 2, "dash": "dash"})


def with_depletion(figure: dict, forecast: DepletionForecast, currency: str | None) -> dict:
    """The balance chart plus, from the closing balance of `as_of` (the end of that UTC day) and any top-up
    since, straight lines at the expected pace to zero: the expected date dashed, the 80 % band (earliest to latest)
    shaded. Unchanged when there is no forecast of the zero crossing."""
    zero = forecast.zero
    if zero is None or zero.band is None or forecast.balance is None:
        return figure
    band = zero.band
    start, balance = chart_time(day_end(forecast.as_of)), float(forecast.balance)
    now_label = f"{forecast.as_of.isoformat()} closing (UTC day)"
    if forecast.arrived:
        now_label += f" + today's top-ups {format_money_usual(forecast.arrived, currency or '')}"
    now_label += f"<br>{format_money_usual(forecast.balance, currency or '')}"

    def to_zero(day: date, what: str) -> tuple[list[str], list[float], list[str]]:
        return [start, chart_time(day_end(day))], [balance, 0.0], [now_label, f"{what}: zero on {day.isoformat()}"]

    traces = [
        _edge("80 % band (earliest)", *to_zero(band.earliest, "80 % band, earliest"), filled=False),
        _edge("80 % band (latest)", *to_zero(band.latest, "80 % band, latest"), filled=True),
        _expected("projection", *to_zero(band.expected, "Expected")),
    ]
    return {**figure, "data": [*figure["data"], *traces]}


def with_month_projection(figure: dict, projection: MonthProjection, currency: str, month_end: datetime) -> dict:
    """The accrual chart plus the projection from month-to-date (the end of `as_of`) to the month's end:
    expected dashed, the 80 % band (low to high) shaded. Unchanged for a closed month or without one."""
    if projection.method == "actual" or None in (projection.expected, projection.low, projection.high):
        return figure
    start, end = chart_time(day_end(projection.as_of)), chart_time(month_end)
    to_date = projection.month_to_date
    so_far = f"{projection.as_of.isoformat()} month to date<br>{format_money_usual(to_date, currency)}"

    def to_end(amount: Decimal | None, what: str) -> tuple[list[str], list[float], list[str]]:
        value = amount or Decimal(0)
        return [start, end], [float(to_date), float(value)], [so_far, f"{what}: {format_money_usual(value, currency)}"]

    traces = [
        _edge("80 % band (low)", *to_end(projection.low, "80 % band, low"), filled=False),
        _edge("80 % band (high)", *to_end(projection.high, "80 % band, high"), filled=True),
        _expected("projection", *to_end(projection.expected, "Projected month total")),
    ]
    return {**figure, "data": [*figure["data"], *traces]}
