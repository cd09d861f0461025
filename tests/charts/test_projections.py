"""Forecasts on the charts (issue 14 §4), as known answers on the figure dicts: the depletion projection after
the balance's last point (dashed, with its 80 % band as two edge traces, the second filled to the first),
the month's projection to its end, and the previous month's accrual aligned by elapsed days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from webapp.charts.balance import daily_balance_figure
from webapp.charts.costs import accrual_figure, with_previous_month
from webapp.charts.projections import with_depletion, with_month_projection
from webapp.domain.forecast import DayFigure, forecast_depletion, project_month
from webapp.domain.months import Month
from webapp.queries.balances import DailyClose

AS_OF = date(2026, 3, 14)
NOW = datetime(2026, 3, 15, 9, tzinfo=UTC)


def steady(days: int, *, spend: str = "10", start_balance: str = "1000") -> list[DayFigure]:
    """`days` completed days up to AS_OF spending `spend` a day from `start_balance` (no top-ups)."""
    first = AS_OF - timedelta(days=days - 1)
    balance, out = Decimal(start_balance), []
    for step in range(days):
        balance -= Decimal(spend)
        out.append(
            DayFigure(first + timedelta(days=step), Decimal(spend), closing_balance=balance, usage=Decimal(spend))
        )
    return out


def balance_chart() -> dict:
    rows = [DailyClose(AS_OF, Decimal("720"), "EUR", Decimal(0))]
    return daily_balance_figure(rows, now=NOW, currency="EUR")


def by_name(figure: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure["data"]}


def test_the_depletion_projection_runs_dashed_from_the_last_close_to_zero_on_the_expected_date():
    forecast = forecast_depletion(steady(28), as_of=AS_OF)  # 720 left at 10 a day: zero at the end of day 72
    assert forecast.zero is not None and forecast.zero.band is not None
    assert forecast.zero.band.expected == AS_OF + timedelta(days=72)
    figure = with_depletion(balance_chart(), forecast, "EUR")
    traces = by_name(figure)
    assert list(traces) == ["balance", "80 % band (earliest)", "80 % band (latest)", "projection"]
    projection = traces["projection"]
    assert projection["line"]["dash"] == "dash"
    assert projection["x"] == ["2026-03-15 00:00", "2026-05-26 00:00"]  # the end of 2026-05-25, 72 days on
    assert projection["y"] == [720.0, 0.0]


def test_the_band_is_shaded_between_its_earliest_and_latest_edges():
    forecast = forecast_depletion(steady(28), as_of=AS_OF)
    band = forecast.zero.band
    traces = by_name(with_depletion(balance_chart(), forecast, "EUR"))
    earliest, latest = traces["80 % band (earliest)"], traces["80 % band (latest)"]
    assert "fill" not in earliest and earliest["line"]["width"] == 0
    assert latest["fill"] == "tonexty" and latest["fillcolor"].startswith("rgba(")
    assert earliest["y"] == latest["y"] == [720.0, 0.0]
    assert earliest["x"][1] == f"{(band.earliest + timedelta(days=1)).isoformat()} 00:00"
    assert latest["x"][1] == f"{(band.latest + timedelta(days=1)).isoformat()} 00:00"
    assert band.earliest <= band.expected <= band.latest


def test_no_projection_without_a_forecast():
    chart = balance_chart()
    short = forecast_depletion(steady(5), as_of=AS_OF)
    assert short.reason == "fewer than 7 days of history (5)"
    assert with_depletion(chart, short, "EUR") == chart
    overdrawn = forecast_depletion(steady(28, start_balance="100"), as_of=AS_OF)
    assert overdrawn.reason is not None and overdrawn.reason.startswith("overdrawn since ")
    assert [trace["name"] for trace in with_depletion(chart, overdrawn, "EUR")["data"]] == ["balance"]


MARCH = Month(2026, 3)


def accrual_chart() -> dict:
    points = [(MARCH.start + timedelta(days=day, hours=21), Decimal(10 * (day + 1))) for day in range(14)]
    return accrual_figure(points, "EUR", (MARCH.start, MARCH.end))


def test_the_month_projection_runs_to_the_month_end_with_its_band():
    days = steady(40)  # 10 a day: 140 by 14 March, 17 more days expected
    projection = project_month(days, first_day=MARCH.start.date(), as_of=AS_OF)
    assert (projection.month_to_date, projection.expected) == (Decimal(140), Decimal(310))
    traces = by_name(with_month_projection(accrual_chart(), projection, "EUR", MARCH.end))
    expected, low, high = traces["projection"], traces["80 % band (low)"], traces["80 % band (high)"]
    assert expected["x"] == low["x"] == high["x"] == ["2026-03-15 00:00", "2026-04-01 00:00"]
    assert expected["y"] == [140.0, 310.0] and expected["line"]["dash"] == "dash"
    assert low["y"] == [140.0, float(projection.low)] and high["y"] == [140.0, float(projection.high)]
    assert low["y"][1] < 310.0 < high["y"][1]
    assert high["fill"] == "tonexty" and "fill" not in low


def test_a_closed_month_has_no_projection_traces():
    projection = project_month(steady(40), first_day=date(2026, 2, 1), as_of=AS_OF)
    assert projection.method == "actual"
    chart = accrual_chart()
    assert with_month_projection(chart, projection, "EUR", MARCH.end) == chart


def test_the_previous_month_is_drawn_under_this_one_at_the_same_elapsed_days():
    january = Month(2026, 1)  # 31 days, before February's 28: shifted by 31 days, cut at February's end
    february = Month(2026, 2)
    previous = [
        (january.start + timedelta(days=2, hours=6), Decimal("5")),
        (january.start + timedelta(days=27, hours=23), Decimal("50")),
        (january.start + timedelta(days=29), Decimal("60")),  # 30 January: day 30 of 31, past February's end
    ]
    chart = accrual_figure([(february.start + timedelta(days=3), Decimal("7"))], "EUR", (february.start, february.end))
    figure = with_previous_month(chart, previous, "EUR", shift=february.start - january.start, until=february.end)
    first = figure["data"][0]
    assert first["name"] == "previous month" and figure["data"][1]["y"] == [7.0]
    assert first["x"] == ["2026-02-03 06:00", "2026-02-28 23:00"]
    assert first["y"] == [5.0, 50.0]
    assert first["customdata"][0] == "Previous month, 2026-01-03 06:00 UTC<br>€5.00"
    assert with_previous_month(chart, [], "EUR", shift=timedelta(days=31), until=february.end) == chart
