"""The provider contract: what an upstream billing adapter must answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class ProviderError(Exception):
    """The provider could not give a usable answer; the message is the reason."""


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
