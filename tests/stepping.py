"""A provider whose balance is whatever the test sets for the current round (concurrency tests)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from webapp.providers import BalanceReading


class SteppingProvider:
    """Answers the amount the test sets for the current round (the real balance); no costs."""

    name = "stepping"

    def __init__(self) -> None:
        self.amount = Decimal("0")

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        return BalanceReading(self.amount, "EUR")

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime):
        return None
