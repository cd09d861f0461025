"""The cells pages draw by the hundred (webapp/web/cells.py): their markup, and every inserted text escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from markupsafe import Markup

from webapp.web.cells import ago, amount_cell, signed, stamp, usual


def test_signed_amounts_read_up_down_or_unchanged(app):
    with app.test_request_context("/"):
        assert signed(Decimal("12.5"), "EUR") == '<span class="up" title="12.50 EUR">+€12.50</span>'
        assert signed(Decimal("-3.1"), "GBP") == '<span class="down" title="-3.10 GBP">-£3.10</span>'
        assert signed(Decimal("-3.1"), "GBP", up_is_good=False) == '<span class="up" title="-3.10 GBP">-£3.10</span>'
        assert signed(Decimal("0E-8"), "EUR") == '<span class="muted">€0.00</span>'
        assert signed(None, "EUR") == '<span class="muted">—</span>'


def test_amounts_keep_the_exact_value_in_the_title(app):
    with app.test_request_context("/"):
        assert usual(Decimal("1234.5678"), "EUR") == '<span title="1234.5678 EUR">€1,234.57</span>'
        assert amount_cell(Decimal("-5"), "USD", True) == '<td class="num negative" title="-5.00 USD">-US$5.00</td>'
        assert amount_cell(None, None) == '<td class="num">—</td>'


def test_times_are_local_and_labelled(app):
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with app.test_request_context("/"):
        assert stamp(moment) == (
            '<time datetime="2026-11-30T09:00:00+00:00" title="2026-11-30 09:00:00 Coordinated Universal Time (UTC)">'
            '<span class="nowrap">2026-11-30</span> <span class="nowrap">09:00 UTC</span></time>'
        )
        assert ">1 hour ago</time>" in ago(datetime.now(UTC) - timedelta(minutes=61))
        assert stamp(None) == '<span class="muted">—</span>' and ago(None) == '<span class="muted">never</span>'


def test_inserted_text_is_escaped(app):
    with app.test_request_context("/"):
        hostile = '<img src=x onerror="alert(1)">'
        for cell in (stamp(None, hostile), ago(None, hostile), usual(Decimal(1), hostile), signed(Decimal(1), hostile)):
            assert isinstance(cell, Markup) and "<img" not in cell and "&lt;img" in cell
