"""The balance history as a step chart (a balance holds its value until the next row), with the zero
line, the low-balance threshold line when one is set, and a marker on every top-up.

Two sources (docs/data-model.md, "Balance chart"): the ledger's change points (short ranges: every
movement, exact) and the read model's daily closing balances (long ranges: one point per UTC day
whose closing balance changed, exact at each day's end; movements within a day are not drawn).
Hover labels go through format_money_usual (the currency's usual decimals), the formatter of the movements
table beside the chart, whose cells carry the exact stored value in a title."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import NamedTuple

from webapp.charts import ACCENT, BASE_LAYOUT, CONFIG, chart_time, zone_label
from webapp.domain.balance import top_up
from webapp.domain.money import format_money_usual
from webapp.queries.balances import BalancePoint, DailyClose

MAX_POINTS = 800
MAX_MARKERS = 100  # beyond that a chart is all triangles: the largest top-ups are marked
ZERO_COLOR = "#5b6472"
THRESHOLD_COLOR = "#b45309"
TOP_UP_COLOR = "#15803d"


def change_hover() -> str:
    return "%{x|%Y-%m-%d %H:%M} " + zone_label() + "<br>%{customdata}<extra></extra>"


LABEL_HOVER = "%{customdata}<extra></extra>"


class Marker(NamedTuple):
    """A top-up on the chart: where it sits and what hovering over it says."""

    x: str
    y: float
    text: str


def downsample(points: Sequence[BalancePoint], max_points: int = MAX_POINTS) -> list[BalancePoint]:
    """At most ~max_points change points: per time bucket keep the first, the lowest, the highest
    and the last, so every bucket's extremes survive. Short series pass through unchanged."""
    if len(points) <= max_points:
        return list(points)
    buckets = max(1, max_points // 4)
    first, last = points[0].at, points[-1].at
    width = (last - first) / buckets
    kept: dict[int, BalancePoint] = {}
    group: list[tuple[int, BalancePoint]] = []
    current = 0
    for index, point in enumerate(points):
        bucket = min(buckets - 1, int((point.at - first) / width)) if width else 0
        if bucket != current and group:
            _keep_extremes(group, kept)
            group = []
        current = bucket
        group.append((index, point))
    _keep_extremes(group, kept)
    return [kept[index] for index in sorted(kept)]


def _keep_extremes(group: list[tuple[int, BalancePoint]], kept: dict[int, BalancePoint]) -> None:
    lowest = min(group, key=lambda item: item[1].amount)
    highest = max(group, key=lambda item: item[1].amount)
    for index, point in (group[0], lowest, highest, group[-1]):
        kept[index] = point


def balance_figure(
    points: Sequence[BalancePoint], *, now: datetime, currency: str | None, threshold: Decimal | None = None
) -> dict:
    """Plotly figure dict from change points: a "hv" step line held until `now`; a top-up marker at
    each rise (at the new balance), found before downsampling so none is lost."""
    shown = downsample(points)
    xs = [chart_time(point.at) for point in shown]
    ys = [float(point.amount) for point in shown]
    labels = [format_money_usual(point.amount, point.currency) for point in shown]
    if shown:
        xs.append(chart_time(max(now, shown[-1].at)))
        ys.append(ys[-1])
        labels.append(labels[-1])
    markers: list[tuple[Decimal, Marker]] = []
    for before, after in pairwise(points):
        rise = top_up(before.amount, before.currency, after.amount, after.currency)
        if rise is not None:
            at, balance = chart_time(after.at), format_money_usual(after.amount, after.currency)
            text = f"Top-up +{format_money_usual(rise, after.currency)} → {balance}<br>{at} {zone_label()}"
            markers.append((rise, Marker(at, float(after.amount), text)))
    return _figure(_step_line(xs, ys, labels, change_hover()), largest(markers), currency, threshold)


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def daily_balance_figure(
    days: Sequence[DailyClose],
    *,
    now: datetime,
    currency: str | None,
    threshold: Decimal | None = None,
    start: datetime | None = None,
) -> dict:
    """Plotly figure dict from daily closing balances: a point at the end of each UTC day whose closing
    balance changed or that had top-ups (today's at `now`; one that ended before the range's `start`, the
    balance in force then, at `start`), held until `now`; a marker per top-up day."""
    xs: list[str] = []
    ys: list[float] = []
    labels: list[str] = []
    markers: list[tuple[Decimal, Marker]] = []
    for index, row in enumerate(days):
        unchanged = index > 0 and (row.closing, row.currency) == (days[index - 1].closing, days[index - 1].currency)
        if unchanged and not row.top_ups:
            continue
        balance = format_money_usual(row.closing, row.currency)
        end = min(now, day_end(row.day))
        xs.append(chart_time(end if start is None else max(start, end)))
        ys.append(float(row.closing))
        labels.append(f"{row.day.isoformat()} closing (UTC day)<br>{balance}")
        if row.top_ups:
            text = f"Top-ups on {row.day.isoformat()} (UTC day): +{format_money_usual(row.top_ups, row.currency)}"
            markers.append((row.top_ups, Marker(xs[-1], ys[-1], f"{text}<br>closing balance {balance}")))
    if xs and xs[-1] < chart_time(now):
        xs.append(chart_time(now))
        ys.append(ys[-1])
        labels.append(labels[-1])
    return _figure(_step_line(xs, ys, labels, LABEL_HOVER), largest(markers), currency, threshold)


def _step_line(xs: list[str], ys: list[float], labels: list[str], hovertemplate: str) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": "balance",
        "line": {"shape": "hv", "color": ACCENT, "width": 2},
        "x": xs,
        "y": ys,
        "customdata": labels,
        "hovertemplate": hovertemplate,
    }


def largest(markers: list[tuple[Decimal, Marker]], limit: int = MAX_MARKERS) -> list[Marker]:
    """The `limit` largest top-ups (by amount), in time order."""
    if len(markers) > limit:
        markers = sorted(sorted(markers, key=lambda item: item[0], reverse=True)[:limit], key=lambda item: item[1].x)
    return [marker for _, marker in markers]


def _marker_trace(markers: list[Marker]) -> dict:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "top-ups",
        "x": [marker.x for marker in markers],
        "y": [marker.y for marker in markers],
        "customdata": [marker.text for marker in markers],
        "marker": {"symbol": "triangle-up", "size": 11, "color": TOP_UP_COLOR, "line": {"color": "#fff", "width": 1}},
        "hovertemplate": LABEL_HOVER,
    }


def horizontal_line(name: str, y: Decimal, color: str, dash: str, label: str = "") -> dict:
    """A line across the whole plot at y (a layout shape: it also keeps y inside the axis range)."""
    line = {
        "type": "line",
        "name": name,
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": float(y),
        "y1": float(y),
        "line": {"color": color, "width": 1.5, "dash": dash},
        "layer": "below",
    }
    if label:
        line["label"] = {"text": label, "textposition": "end", "yanchor": "bottom", "font": {"color": color}}
    return line


def _figure(line: dict, markers: list[Marker], currency: str | None, threshold: Decimal | None) -> dict:
    shapes = [horizontal_line("zero", Decimal(0), ZERO_COLOR, "solid")]
    if threshold is not None:
        label = f"Low-balance threshold {format_money_usual(threshold, currency or '')}"
        shapes.append(horizontal_line("low-balance threshold", threshold, THRESHOLD_COLOR, "dash", label))
    layout = {
        **BASE_LAYOUT,
        "height": 300,
        "shapes": shapes,
        "xaxis": {"type": "date", "gridcolor": "#eef1f5", "title": {"text": zone_label()}},
        "yaxis": {"gridcolor": "#eef1f5", "zeroline": False, "tickformat": ",~f", "title": {"text": currency or ""}},
    }
    return {"data": [line, _marker_trace(markers)] if markers else [line], "layout": layout, "config": CONFIG}
