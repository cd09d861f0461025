"""The top-up rule (domain/balance.py:top_up), which the daily figures and the chart's markers share."""

from __future__ import annotations

from decimal import Decimal

from webapp.domain.balance import top_up


def test_a_rise_in_one_currency_is_a_top_up_of_the_difference():
    assert top_up(Decimal("80"), "EUR", Decimal("130.50"), "EUR") == Decimal("50.50")
    assert top_up(Decimal("-3.10"), "EUR", Decimal("0"), "EUR") == Decimal("3.10")


def test_no_top_up_without_a_rise_or_across_currencies():
    assert top_up(Decimal("80"), "EUR", Decimal("80"), "EUR") is None
    assert top_up(Decimal("80"), "EUR", Decimal("60"), "EUR") is None
    assert top_up(Decimal("80"), "EUR", Decimal("500"), "USD") is None
