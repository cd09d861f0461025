"""Money: SPEC §2's decimal-string form, the bounds the Money column stores exactly, ISO 4217 codes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, getcontext
from functools import cache

from babel import Locale
from babel.numbers import (
    NumberPattern,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
    parse_pattern,
)

SCALE = 8
PRECISION = 18
# |amount| < 10**10 keeps the SQLite form (amount * 10**8) inside a signed 64-bit integer.
MAX_ABS = Decimal(10) ** (PRECISION - SCALE)
QUANTUM = Decimal(1).scaleb(-SCALE)
_CURRENCIES = frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())


def check_amount(value: Decimal) -> Decimal:
    """Return value if it is a finite Decimal that the Money column stores exactly."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"money must be finite, got {value}")
    # adjusted() is the exponent of the leading digit: safe on absurd exponents where abs() overflows.
    if value and value.adjusted() >= PRECISION - SCALE:
        raise ValueError(f"money out of range (|x| < 10^{PRECISION - SCALE}): {value}")
    # In range, rounding to the quantum cannot overflow the context; cheaper than as_tuple()'s digit tuple.
    if value != value.quantize(QUANTUM):
        raise ValueError(f"money has more than {SCALE} fractional digits: {value}")
    return value


def parse_plain_decimal(text: object, *, int_digits: int, frac_digits: int, what: str = "value") -> Decimal:
    """A Decimal from text that is exactly `-?digits[.digits]` in ASCII, with at most int_digits before
    and frac_digits after the point: no exponent, underscores, whitespace or non-ASCII digits.
    Anything else raises ValueError with a message fit to show."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a decimal string, got {type(text).__name__}")
    pattern = rf"-?[0-9]{{1,{int_digits}}}(?:\.[0-9]{{1,{frac_digits}}})?"
    if re.fullmatch(pattern, text, re.ASCII) is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise ValueError(
            f"{what} must be a plain decimal like 12.50 (at most {int_digits} digits before the point "
            f"and {frac_digits} after, no exponent or spaces), got {shown!r}"
        )
    return Decimal(text)


def parse_amount(text: object, *, what: str = "amount") -> Decimal:
    """A money amount from a plain decimal string that the Money column stores exactly."""
    return parse_plain_decimal(text, int_digits=PRECISION - SCALE, frac_digits=SCALE, what=what)


def format_amount(value: Decimal) -> str:
    """Plain decimal, no exponent, at least two and no padding beyond the
    significant fractional digits: 12.50, 0.0042, -3.10."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    if value == 0:
        return "0.00"
    if value.adjusted() >= getcontext().prec - 2:  # its whole digits and cents would not fit the context exactly
        raise ValueError(f"amount too large to format exactly: {value}")
    # the significant digits only, then padded to cents as text (a replay formats millions of amounts:
    # this is half the time of testing the exponent through as_tuple() and quantizing)
    text = format(value.normalize(), "f")
    point = text.find(".")
    if point < 0:
        return text + ".00"
    return text + "0" if len(text) - point == 2 else text


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in _CURRENCIES


# Display: one formatter for every screen (pages, chart hover labels). Stored values are shown as they
# are, or as INVALID when they cannot be shown (not a number, infinite, or absurdly large or small).
PLACEHOLDER = "—"
INVALID = "invalid value"
DISPLAY_MAX_EXPONENT = 20  # Babel quantizes within the default 28-digit context: keep 4 decimals inside it
DISPLAY_MIN_EXPONENT = -30
_LOCALE = Locale.parse("en_GB")


def is_displayable(value: Decimal) -> bool:
    """A finite number of sane size: formatting it cannot blow up (1E+5000000 would be 5 MB of digits)."""
    if not value.is_finite():
        return False
    return not value or DISPLAY_MIN_EXPONENT <= value.adjusted() <= DISPLAY_MAX_EXPONENT


def stored_decimal(text: object) -> Decimal | None:
    """A Decimal from a value already stored in the ledger (trusted to be there, not to be sane):
    None when it is not a displayable number ("NaN", "abc", "1E+5000000"), so pages show a placeholder."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, (str, int)) and not isinstance(text, bool) and len(str(text)) <= 64:
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    return value if is_displayable(value) else None


@cache
def _currency_pattern(digits: int, with_sign: bool = True) -> NumberPattern:
    """Parsed once per precision: parsing the pattern was half the cost of each call."""
    return parse_pattern(("¤" if with_sign else "") + "#,##0." + "0" * 2 + "#" * (digits - 2))


def _fraction_digits(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_money(amount: Decimal | None, currency: str | None) -> str:
    """An amount in its currency for the screen, 2 to 4 decimals: £1,234.50, -€3.10, US$0.0042.
    Currency "" is an amount in whatever the account's currency is (an organisation's low-balance
    threshold): the figure alone, 1,234.50."""
    if amount is None or currency is None:
        return PLACEHOLDER
    if not is_displayable(amount):
        return INVALID
    digits = max(2, min(4, _fraction_digits(amount)))
    if amount:  # Babel's answer, built directly (tests/domain/test_money.py holds it to Babel's): rows format many
        text = format(amount.quantize(Decimal(1).scaleb(-digits)), ",f")  # half-even, as Babel rounds
        whole, _, fraction = text.partition(".")
        text = f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"  # "0.00##": two decimals kept, the rest if not 0
        return _with_symbol(_usual_form(currency)[0] if currency else "", text)
    pattern = _currency_pattern(digits, with_sign=currency != "")
    return pattern.apply(amount, _LOCALE, currency=currency, currency_digits=False)


def format_quantity(value: Decimal | None) -> str:
    """A quantity with grouping, trimmed of needless zeros (at most 4 decimals)."""
    if value is None:
        return PLACEHOLDER
    if not is_displayable(value):
        return INVALID
    digits = min(4, _fraction_digits(value))
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0", locale=_LOCALE)


@cache
def _usual_pattern() -> NumberPattern:
    return parse_pattern("¤#,##0.00")


def format_money_usual(amount: Decimal | None, currency: str | None) -> str:
    """An amount rounded to its currency's usual decimals (Babel's currency digits: €1,234.50, ¥1,235),
    so a column of amounts lines up; pages put the exact stored value beside it (a title)."""
    if amount is None or currency is None:
        return PLACEHOLDER
    if not is_displayable(amount):
        return INVALID
    if amount:  # Babel's answer, built directly: a chart's hover labels format hundreds of amounts
        symbol, digits = _usual_form(currency)
        text = format(amount, f",.{digits}f")  # en_GB grouping; half-even, as Babel rounds
        return _with_symbol(symbol, text)
    return _usual_pattern().apply(amount, _LOCALE, currency=currency, currency_digits=True)


def _with_symbol(symbol: str, text: str) -> str:
    """en_GB puts the sign before the symbol: -£3.10."""
    return f"-{symbol}{text[1:]}" if text[0] == "-" else f"{symbol}{text}"


@cache
def _usual_form(currency: str) -> tuple[str, int]:
    """The currency's symbol in the display locale and its usual decimals (Babel's data)."""
    return get_currency_symbol(currency, _LOCALE), get_currency_precision(currency)
