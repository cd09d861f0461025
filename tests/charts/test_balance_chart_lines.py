"""The balance chart's reference lines and top-up markers (issue 13 §3), as known answers on the figure dict."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from webapp.charts.balance import balance_figure, daily_balance_figure
from webapp.domain.money import format_money_usual
from webapp.queries.balances import BalancePoint, DailyClose

T0 = datetime(2026, 3, 1, 6, tzinfo=UTC)
NOW = T0 + timedelta(days=2)


def moves(*amounts: str, currency: str = "EUR") -> list[BalancePoint]:
    return [BalancePoint(T0 + timedelta(hours=3 * i), Decimal(a), currency) for i, a in enumerate(amounts)]


def shapes(figure: dict) -> dict[str, dict]:
    return {shape["name"]: shape for shape in figure["layout"]["shapes"]}


def test_the_zero_line_is_always_there_and_spans_the_plot():
    zero = shapes(balance_figure(moves("100", "80"), now=NOW, currency="EUR"))["zero"]
    assert (zero["type"], zero["xref"], zero["x0"], zero["x1"], zero["yref"]) == ("line", "paper", 0, 1, "y")
    assert zero["y0"] == zero["y1"] == 0.0


def test_the_threshold_line_only_when_a_threshold_is_set():
    assert set(shapes(balance_figure(moves("100"), now=NOW, currency="EUR"))) == {"zero"}
    figure = balance_figure(moves("100"), now=NOW, currency="EUR", threshold=Decimal("250"))
    line = shapes(figure)["low-balance threshold"]
    assert line["y0"] == line["y1"] == 250.0 and line["line"]["dash"] == "dash"
    assert line["label"]["text"] == "Low-balance threshold €250.00"
    daily = daily_balance_figure(
        [DailyClose(date(2026, 3, 1), Decimal("9"), "EUR", Decimal(0))], now=NOW, currency="EUR"
    )
    assert set(shapes(daily)) == {"zero"}
    daily = daily_balance_figure(
        [DailyClose(date(2026, 3, 1), Decimal("9"), "EUR", Decimal(0))], now=NOW, currency="EUR", threshold=Decimal("5")
    )
    assert shapes(daily)["low-balance threshold"]["y0"] == 5.0


def test_a_top_up_is_marked_at_the_new_balance_when_it_happened():
    figure = balance_figure(moves("100", "80", "130", "120", "125.5"), now=NOW, currency="EUR")
    line, markers = figure["data"]
    assert line["mode"] == "lines" and markers["mode"] == "markers" and markers["name"] == "top-ups"
    assert markers["x"] == ["2026-03-01 12:00", "2026-03-01 18:00"]  # the third and the fifth snapshot
    assert markers["y"] == [130.0, 125.5]
    assert markers["customdata"][0] == "Top-up +€50.00 → €130.00<br>2026-03-01 12:00 UTC"
    assert markers["customdata"][1] == "Top-up +€5.50 → €125.50<br>2026-03-01 18:00 UTC"


def test_no_marker_without_a_rise_nor_across_a_currency_change():
    falling = balance_figure(moves("100", "80", "60"), now=NOW, currency="EUR")
    assert len(falling["data"]) == 1
    switched = [*moves("100"), BalancePoint(T0 + timedelta(hours=3), Decimal("500"), "USD")]
    assert len(balance_figure(switched, now=NOW, currency="USD")["data"]) == 1


def test_hover_shows_the_tables_money_format_not_the_float():
    figure = balance_figure(moves("1234.5", "-3.1", "2381.5736"), now=NOW, currency="EUR")
    line = figure["data"][0]
    assert line["customdata"] == ["€1,234.50", "-€3.10", "€2,381.57", "€2,381.57"]  # the currency's 2 decimals
    assert line["customdata"][:3] == [format_money_usual(Decimal(v), "EUR") for v in ("1234.5", "-3.1", "2381.5736")]
    assert balance_figure(moves("1234.7", currency="JPY"), now=NOW, currency="JPY")["data"][0]["customdata"][0] == (
        "JP¥1,235"
    )
    assert "%{y" not in line["hovertemplate"] and "%{customdata}" in line["hovertemplate"]
    daily = daily_balance_figure(
        [DailyClose(date(2026, 3, 1), Decimal("1234.50000000"), "EUR", Decimal("0E-8"))], now=NOW, currency="EUR"
    )
    assert daily["data"][0]["customdata"][0] == "2026-03-01 closing (UTC day)<br>€1,234.50"
    assert "%{y" not in daily["data"][0]["hovertemplate"]


def test_daily_closing_balances_draw_only_changes_and_mark_top_up_days():
    days = [
        DailyClose(date(2026, 2, 26), Decimal("100"), "EUR", Decimal(0)),
        DailyClose(date(2026, 2, 27), Decimal("100"), "EUR", Decimal(0)),  # unchanged: not drawn
        DailyClose(date(2026, 2, 28), Decimal("150"), "EUR", Decimal("70")),  # topped up by 70, spent 20
        DailyClose(date(2026, 3, 1), Decimal("140"), "EUR", Decimal(0)),  # today: at `now`, not the day's end
    ]
    now = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    line, markers = daily_balance_figure(days, now=now, currency="EUR")["data"]
    assert line["x"] == ["2026-02-27 00:00", "2026-03-01 00:00", "2026-03-01 09:30"]
    assert line["y"] == [100.0, 150.0, 140.0]
    assert markers["x"] == ["2026-03-01 00:00"] and markers["y"] == [150.0]
    assert markers["customdata"] == ["Top-ups on 2026-02-28 (UTC day): +€70.00<br>closing balance €150.00"]


def test_a_past_last_day_is_held_until_now():
    days = [DailyClose(date(2026, 2, 20), Decimal("7"), "EUR", Decimal(0))]
    line = daily_balance_figure(days, now=NOW, currency="EUR")["data"][0]
    assert line["x"] == ["2026-02-21 00:00", "2026-03-03 06:00"] and line["y"] == [7.0, 7.0]
