"""The balance chart in the viewer's time zone (SPEC §11): wall times there, the zone named on the axis and
in the hover; outside `in_zone` figures are drawn in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from webapp.charts import in_zone
from webapp.charts.balance import balance_figure
from webapp.queries.balances import BalancePoint

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def figure() -> dict:
    points = [BalancePoint(WINTER, Decimal("100"), "EUR"), BalancePoint(SUMMER, Decimal("150"), "EUR")]
    return balance_figure(points, now=SUMMER, currency="EUR")


def test_times_are_wall_times_of_the_zone_across_summer_time():
    with in_zone(ZoneInfo("Europe/Berlin")):
        drawn = figure()
    line = drawn["data"][0]
    assert line["x"][:2] == ["2026-01-15 13:00", "2026-07-15 14:00"]  # CET, then CEST
    assert drawn["layout"]["xaxis"]["title"]["text"] == "Europe/Berlin"
    assert "Europe/Berlin" in line["hovertemplate"]
    top_up = next(trace for trace in drawn["data"] if trace.get("mode") == "markers")
    assert top_up["customdata"][0].endswith("2026-07-15 14:00 Europe/Berlin")


def test_without_a_zone_the_chart_is_utc():
    drawn = figure()
    assert drawn["data"][0]["x"][:2] == ["2026-01-15 12:00", "2026-07-15 12:00"]
    assert drawn["layout"]["xaxis"]["title"]["text"] == "UTC"
