"""The portfolio's rows built in Python (webapp/dashboard/portfolio_rows.py): every text from the data is escaped,
and each badge and the "Runs out" cell read as the table promises."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from webapp.dashboard.portfolio_rows import portfolio_row
from webapp.queries.portfolio import PortfolioRow

HOSTILE = '<img src=x onerror="alert(1)">'
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def row(**changes) -> PortfolioRow:
    base = PortfolioRow(
        id=7, name="Acme", active=True, threshold=None, reference=None, amount=Decimal("100"), currency="EUR",
        collected_at=NOW, checked_at=NOW, amount_week_ago=Decimal("90"), currency_week_ago="EUR", cost=Decimal("5"),
        cost_currency="EUR", runs_out_on=date(2026, 12, 20), runs_out_earliest=date(2026, 12, 18),
        runs_out_latest=date(2026, 12, 23), forecast_status="forecast", forecast_reason=None,
        stale_before=datetime(2026, 11, 30, 6, 0, tzinfo=UTC), today=date(2026, 11, 30),
    )  # fmt: skip
    return replace(base, **changes)


def test_every_text_from_the_data_is_escaped(app):
    with app.test_request_context("/"):
        html = portfolio_row(
            row(name=HOSTILE, reference=HOSTILE, runs_out_on=None, forecast_reason=HOSTILE),
            (2, True, [HOSTILE, "runway"]),
            "/alerts",
        )
    assert "<img" not in html and html.count("&lt;img") == 4


def test_badges_and_runs_out_read_as_the_table_promises(app):
    with app.test_request_context("/"):
        ok = portfolio_row(row(), None, "/alerts")
        overdrawn = portfolio_row(row(amount=Decimal("-1"), active=False), (1, False, ["balance"]), "/alerts")
        low = portfolio_row(row(threshold=Decimal("500")), None, "/alerts")
    assert '<span class="badge ok">ok</span>' in ok and '<a href="/orgs/7">Acme</a>' in ok
    assert '20 Dec 2026</time> <span class="muted">· 20 d</span>' in ok
    assert "80 % band: 2026-12-18 to 2026-12-23" in ok
    assert '<td class="num"><span class="up" title="10.00 EUR">+€10.00</span></td>' in ok
    assert ">1 alert</a>" in overdrawn and "depleted" in overdrawn and "badge ok" not in overdrawn
    assert '<span class="badge">inactive</span>' in overdrawn and 'class="num negative"' in overdrawn
    assert 'title="Under the threshold of €500.00">low balance</span>' in low
