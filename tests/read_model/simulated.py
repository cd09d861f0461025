"""A provider whose answers a test moves (balance, currency, month totals, an outage)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from webapp.domain.months import Month
from webapp.providers import BalanceReading, CostReport, Fee, ProviderError, UsageLine


@dataclass
class SimulatedAccount:
    """A provider whose answers the test moves: balance, currency, month totals, an outage."""

    balance: Decimal = Decimal(100)
    currency: str = "EUR"
    totals: dict[Month, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    failing: str | None = None
    name: str = "simulated"

    def balance_reading(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        if self.failing == "balances":
            raise ProviderError("HTTP 503 upstream")
        return BalanceReading(self.balance, self.currency)

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime) -> CostReport | None:
        if self.failing == "costs":
            raise ProviderError("HTTP 503 upstream")
        total = self.totals.get(Month(year, month))
        if total is None:
            return None
        half = (total / 2).quantize(Decimal("0.01"))
        lines = (
            UsageLine("compute", "op-1", "Ana", Decimal(1), "hour", half),  # storage: attributed to no operator
            UsageLine("storage", None, None, Decimal(1), "GB", total - half),
        )
        return CostReport(self.currency, total, (Fee("usage", "Usage", total),), lines)


class Provider:
    """The Provider protocol over a SimulatedAccount."""

    name = "simulated"

    def __init__(self, account: SimulatedAccount) -> None:
        self.account = account

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        return self.account.balance_reading(account_ref, as_of=as_of)

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime) -> CostReport | None:
        return self.account.month_costs(account_ref, year, month, as_of=as_of)
