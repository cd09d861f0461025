"""The provider contract: what an upstream billing adapter must answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

# Quantities are not money (bytes, API calls, minutes …): at most 15 digits before the point
# and 12 after, so any quantity fits a double's exact range and a page column alike.
QUANTITY_INT_DIGITS = 15
QUANTITY_FRAC_DIGITS = 12


class ProviderError(Exception):
    """The provider could not give a usable answer; the message is the reason."""


def check_quantity(value: Decimal) -> Decimal:
    """Return value if it is a finite Decimal within the quantity bounds; ValueError otherwise."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"quantity must be a finite decimal, got {value!r}")
    if value and value.adjusted() >= QUANTITY_INT_DIGITS:
        raise ValueError(f"quantity has more than {QUANTITY_INT_DIGITS} digits before the point")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_FRAC_DIGITS and value != round(value, QUANTITY_FRAC_DIGITS):
        raise ValueError(f"quantity has more than {QUANTITY_FRAC_DIGITS} digits after the point")
    return value


def has_control_character(text: str) -> bool:
    """True if text holds a C0/C1 control character (NUL, ESC, DEL …): never stored from a provider."""
    return any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)


@dataclass(frozen=True, slots=True)
class BalanceReading:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Fee:
    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class UsageLine:
    service: str
    operator_id: str | None
    operator_name: str | None
    quantity: Decimal
    unit: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CostReport:
    """A month's costs so far, as the provider reported them."""

    currency: str
    total: Decimal
    fees: tuple[Fee, ...]
    usage_lines: tuple[UsageLine, ...]


class Provider(Protocol):
    """Answers two questions per organisation (by its provider reference).

    `as_of` is the moment of observation. Live adapters answer "now" and use it
    only for logging; the demo simulation answers as of that moment, which is
    how demo-data replays history through the same collection rules.
    """

    name: str

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading: ...

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime) -> CostReport | None: ...
