"""The balance history as a step chart (a balance holds its value until the next row)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from webapp.charts import ACCENT, BASE_LAYOUT, CONFIG, chart_time
from webapp.domain.money import format_money
from webapp.queries.balances import BalancePoint

MAX_POINTS = 800


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


def balance_figure(points: Sequence[BalancePoint], *, now: datetime, currency: str | None) -> dict:
    """Plotly figure dict: a "hv" step line through the change points, held until `now`."""
    shown = downsample(points)
    xs = [chart_time(point.at) for point in shown]
    ys = [float(point.amount) for point in shown]
    labels = [format_money(point.amount, currency) for point in shown]
    if shown:
        xs.append(chart_time(max(now, shown[-1].at)))
        ys.append(ys[-1])
        labels.append(labels[-1])
    trace = {
        "type": "scatter",
        "mode": "lines",
        "line": {"shape": "hv", "color": ACCENT, "width": 2},
        "x": xs,
        "y": ys,
        "customdata": labels,
        "hovertemplate": "%{x|%Y-%m-%d %H:%M} UTC<br>%{customdata}<extra></extra>",
    }
    layout = {
        **BASE_LAYOUT,
        "height": 300,
        "xaxis": {"type": "date", "gridcolor": "#eef1f5", "title": {"text": "UTC"}},
        "yaxis": {
            "gridcolor": "#eef1f5",
            "zerolinecolor": "#c7ced8",
            "tickformat": ",~f",
            "title": {"text": currency or ""},
        },
    }
    return {"data": [trace], "layout": layout, "config": CONFIG}
