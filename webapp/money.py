"""Money on the wire: SPEC §2's decimal-string form and ISO 4217 codes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies

from webapp.models.types import check_amount

CENT_EXPONENT = -2
_CURRENCIES = frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())


def format_amount(value: Decimal) -> str:
    """Plain decimal, no exponent, at least two and no padding beyond the
    significant fractional digits: 12.50, 0.0042, -3.10."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    if value == 0:
        return "0.00"
    normal = value.normalize()
    if normal.as_tuple().exponent > CENT_EXPONENT:
        normal = normal.quantize(Decimal(1).scaleb(CENT_EXPONENT))
    return format(normal, "f")


def parse_amount(text: str) -> Decimal:
    """Parse a decimal string that the Money column can store exactly."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(f"not a decimal amount: {text!r}") from None
    return check_amount(value)


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in _CURRENCIES
