"""Chart functions are pure: rows in, figure dict out. Test the dict, not pixels."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.dashboard_data import XSS
from webapp.charts import to_json
from webapp.charts.balance import MAX_MARKERS, MAX_POINTS, balance_figure, downsample
from webapp.charts.costs import accrual_figure, service_figure
from webapp.queries.balances import BalancePoint
from webapp.queries.costs import Share

T0 = datetime(2023, 1, 1, tzinfo=UTC)


def zigzag(count: int) -> list[BalancePoint]:
    return [
        BalancePoint(T0 + timedelta(hours=3 * i), Decimal(1000 + (i % 7) * 10 - i % 3), "EUR") for i in range(count)
    ]


def test_balance_figure_is_a_step_line_held_until_now():
    points = zigzag(3)
    now = T0 + timedelta(days=1)
    figure = balance_figure(points, now=now, currency="EUR")
    trace = figure["data"][0]
    assert trace["type"] == "scatter" and trace["line"]["shape"] == "hv"
    assert trace["x"][-1] == "2023-01-02 00:00" and trace["y"][-1] == trace["y"][-2]
    assert figure["layout"]["template"] == "none"
    assert "UTC" in trace["hovertemplate"]


def test_years_of_history_stay_small_and_keep_every_extreme():
    points = zigzag(4 * 365 * 8)  # four years of 3-hourly movements
    shown = downsample(points)
    assert len(shown) <= MAX_POINTS + 4
    assert shown[0] == points[0] and shown[-1] == points[-1]
    assert min(p.amount for p in shown) == min(p.amount for p in points)
    assert max(p.amount for p in shown) == max(p.amount for p in points)
    bucket = (points[-1].at - points[0].at) / (MAX_POINTS // 4)
    for start in range(0, 40):  # every bucket keeps its own low and high
        inside = [p for p in points if T0 + bucket * start <= p.at < T0 + bucket * (start + 1)]
        kept = [p for p in shown if T0 + bucket * start <= p.at < T0 + bucket * (start + 1)]
        assert min(p.amount for p in inside) == min(p.amount for p in kept)
        assert max(p.amount for p in inside) == max(p.amount for p in kept)
    figure = balance_figure(points, now=points[-1].at, currency="EUR")
    assert len(figure["data"][1]["x"]) == MAX_MARKERS  # every second point rises: only the largest are marked
    assert len(to_json(figure)) < 50_000  # ~37 KB of line, ~10 KB of top-up markers


def test_short_series_are_exact():
    points = zigzag(50)
    assert downsample(points) == points


def test_names_are_escaped_before_they_reach_plotly():
    figure = service_figure([Share(XSS, XSS, Decimal("2.5"), Decimal("100"))], "EUR")
    assert figure["data"][0]["y"] == ["&lt;img src=x onerror=alert(1)&gt;"]
    assert "<img" not in json.dumps(figure)


def test_service_bars_largest_on_top_and_accrual_keeps_change_points():
    shares = [Share("a", "A", Decimal("9"), None), Share("b", "B", Decimal("1"), None)]
    bars = service_figure(shares, "EUR")["data"][0]
    assert bars["orientation"] == "h" and bars["y"] == ["B", "A"] and bars["x"] == [1.0, 9.0]
    accrual = [(T0 + timedelta(hours=3 * i), Decimal(v)) for i, v in enumerate(["1", "1", "2", "2", "2"])]
    trace = accrual_figure(accrual, "EUR")["data"][0]
    assert trace["y"] == [1.0, 2.0, 2.0] and trace["line"]["shape"] == "hv"
    assert trace["x"][-1] == "2023-01-01 12:00"


def test_accrual_axis_spans_the_month():
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    figure = accrual_figure([(start + timedelta(days=2), Decimal("5"))], "EUR", (start, end))
    assert figure["layout"]["xaxis"]["range"] == ["2026-03-01 00:00", "2026-04-01 00:00"]


def test_a_lone_accrual_snapshot_is_drawn_as_a_marker():
    lone = accrual_figure([(T0, Decimal("5"))], "EUR")["data"][0]
    assert lone["mode"] == "markers" and lone["y"] == [5.0]
    assert accrual_figure([(T0, Decimal("5")), (T0 + timedelta(hours=3), Decimal("6"))], "EUR")["data"][0]["mode"] == (
        "lines"
    )
