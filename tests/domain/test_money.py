"""Exact money: the Money column round-trips Decimals on both backends; the JSON form follows SPEC §2."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import make_org
from webapp.domain.money import MAX_ABS, check_amount, format_amount, format_money, parse_amount
from webapp.extensions import db
from webapp.models import BalanceSnapshot
from webapp.models.types import utcnow

amounts = st.decimals(
    min_value=-MAX_ABS + Decimal("0.00000001"),
    max_value=MAX_ABS - Decimal("0.00000001"),
    places=8,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=amounts)
def test_money_round_trips_exactly(app, amount):
    org = make_org()
    db.session.add(BalanceSnapshot(organization_id=org.id, amount=amount, currency="EUR", collected_at=utcnow()))
    db.session.flush()
    db.session.expunge_all()
    stored = db.session.scalar(select(BalanceSnapshot.amount).where(BalanceSnapshot.organization_id == org.id))
    assert isinstance(stored, Decimal)
    assert stored == amount
    assert format_amount(stored) == format_amount(amount)


@pytest.mark.parametrize("value", ["99999999999.5", "1e10", "0.000000001", "NaN", "Infinity"])
def test_money_refuses_what_it_cannot_store_exactly(app, value):
    org = make_org()
    db.session.add(
        BalanceSnapshot(organization_id=org.id, amount=Decimal(value), currency="EUR", collected_at=utcnow())
    )
    with pytest.raises(Exception, match="money"):
        db.session.flush()


def test_money_refuses_floats(app):
    org = make_org()
    db.session.add(BalanceSnapshot(organization_id=org.id, amount=12.5, currency="EUR", collected_at=utcnow()))
    with pytest.raises(Exception, match="Decimal"):
        db.session.flush()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", "12.50"),
        ("12.50000000", "12.50"),
        ("0.0042", "0.0042"),
        ("-3.1", "-3.10"),
        ("0", "0.00"),
        ("-0.00", "0.00"),
        ("1E+3", "1000.00"),
        ("0.00000001", "0.00000001"),
        ("9999999999.99999999", "9999999999.99999999"),
        ("100", "100.00"),
        ("-0.10000000", "-0.10"),
    ],
)
def test_format_amount(value, expected):
    assert format_amount(Decimal(value)) == expected


@pytest.mark.parametrize("value", ["1E+26", "-123456789012345678901234567890", "Infinity", "NaN"])
def test_format_amount_refuses_what_it_cannot_write_exactly(value):
    with pytest.raises(ValueError):
        format_amount(Decimal(value))


@given(amounts)
def test_format_amount_is_plain_and_parses_back(amount):
    text = format_amount(amount)
    assert "E" not in text and "e" not in text
    _whole, _, fraction = text.partition(".")
    assert len(fraction) >= 2
    assert len(fraction) == 2 or not fraction.endswith("0")
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["abc", "", "1,5", "NaN", "1e400"])
def test_parse_amount_rejects_junk(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    ["1E+5000000", "1E-5000000", "1E+30", "1e3", "1_000", " 12.50", "12.50 ", "١٢", "１２", "+5", "12.", ".5",
     "12345678901", "0.123456789", "--1", "", "1,5"],
)  # fmt: skip
def test_only_plain_ascii_decimals_are_amounts(text):
    with pytest.raises(ValueError, match="plain decimal"):
        parse_amount(text)


@pytest.mark.parametrize(("text", "amount"), [("12.50", "12.50"), ("-3.10", "-3.10"), ("9999999999.99999999", None)])
def test_plain_decimals_within_bounds_parse_exactly(text, amount):
    assert parse_amount(text) == Decimal(amount or text)


def test_absurd_exponents_are_out_of_range_not_an_overflow():
    with pytest.raises(ValueError, match="out of range"):
        check_amount(Decimal("1e999999999"))
    with pytest.raises(ValueError, match="fractional digits"):
        check_amount(Decimal("1e-999999999"))


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("1234.5"), "GBP", "£1,234.50"),
        (Decimal("1234.5"), "", "1,234.50"),
        (Decimal("-0.0042"), "", "-0.0042"),
        (None, "", "—"),
        (Decimal("NaN"), "", "invalid value"),
    ],
)
def test_format_money_without_a_known_currency_shows_the_figure_alone(amount, currency, expected):
    assert format_money(amount, currency) == expected


def _babel(pattern: str, amount: Decimal, currency: str, *, currency_digits: bool) -> str:
    """The reference: Babel's own currency formatting with `pattern` in en_GB, as the formatters once called it."""
    from babel import Locale
    from babel.numbers import parse_pattern

    locale = Locale.parse("en_GB")
    return parse_pattern(pattern).apply(amount, locale, currency=currency, currency_digits=currency_digits)


def _babel_usual(amount: Decimal, currency: str) -> str:
    """Babel's "¤#,##0.00" in the currency's usual decimals, as format_money_usual did it for every amount."""
    return _babel("¤#,##0.00", amount, currency, currency_digits=True)


@settings(max_examples=600, deadline=None)
@given(
    amount=st.one_of(
        amounts,
        st.decimals(min_value=Decimal("-1E+20"), max_value=Decimal("1E+20"), places=3, allow_nan=False),
        st.decimals(min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=12, allow_nan=False),
        st.sampled_from([Decimal(v) for v in ("0.005", "-0.005", "0.015", "2.5", "-2.5", "1E+3", "-0.0", "12.3450")]),
    ),
    currency=st.sampled_from(["EUR", "USD", "GBP", "JPY", "KWD", "BHD", "CLF", "CHF", "SEK", "INR", "XYZ"]),
)
def test_usual_money_text_is_babels_to_the_character(amount, currency):
    """format_money_usual builds the usual form directly (symbol, usual decimals, en_GB grouping, half-even,
    the sign before the symbol, also when the amount rounds to zero); it must equal Babel's every time."""
    from webapp.domain.money import format_money_usual

    assert format_money_usual(amount, currency) == _babel_usual(amount, currency)


def _babel_money(amount: Decimal, currency: str) -> str:
    """Babel's pattern "¤#,##0.00##" (2 to 4 decimals), as format_money applied it to every amount."""
    digits = max(2, min(4, -min(0, amount.normalize().as_tuple().exponent)))  # type: ignore[operator]
    pattern = ("¤" if currency else "") + "#,##0.00" + "#" * (digits - 2)
    return _babel(pattern, amount, currency, currency_digits=False)


@settings(max_examples=600, deadline=None)
@given(
    amount=st.one_of(
        amounts,
        st.decimals(min_value=Decimal("-1E+20"), max_value=Decimal("1E+20"), places=6, allow_nan=False),
        st.decimals(min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=12, allow_nan=False),
        st.sampled_from([Decimal(v) for v in ("0.00005", "-0.00005", "0.00015", "1.00004", "-0.0", "12.3450", "1E+3")]),
    ),
    currency=st.sampled_from(["", "EUR", "USD", "GBP", "JPY", "KWD", "CHF", "INR", "XYZ"]),
)
def test_money_text_is_babels_to_the_character(amount, currency):
    """format_money builds its 2-to-4-decimal form directly (rounded half-even to 4 decimals, trailing zeros
    beyond two dropped, the sign before the symbol); it must equal Babel's for any amount of up to 28 significant
    digits (beyond that, Babel's own normalize() rounds twice; stored money has at most 18)."""
    assert format_money(amount, currency) == _babel_money(amount, currency)
