"""A scripted balance provider and a collection through the real write path, for the alert tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from webapp.collection.rules import collect_balance
from webapp.extensions import db
from webapp.providers import BalanceReading

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)
HOURS = timedelta(hours=3)


class Balances:
    """A provider that answers balances from a script (an exception in it is raised)."""

    name = "scripted"

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)

    def balance(self, account_ref, *, as_of):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return BalanceReading(Decimal(answer), "EUR")

    def month_costs(self, account_ref, year, month, *, as_of):  # pragma: no cover - not asked here
        raise AssertionError("costs are not collected in these tests")


def collect(org, *answers: str | Exception) -> None:
    provider = Balances(*answers)
    for step in range(len(answers)):
        collect_balance(org.id, provider, as_of=T0 + step * HOURS)
    db.session.flush()
