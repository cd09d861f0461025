"""What the read model is computed from: one organisation's ledger as plain values (no database)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from webapp.domain.money import stored_decimal
from webapp.domain.months import Month


@dataclass(frozen=True)
class BalancePoint:
    collected_at: datetime
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class CostPoint:
    """A cost snapshot reduced to what derivation needs: the month's total and usage per service and per
    operator (lines attributed to no operator are in no operator's)."""

    collected_at: datetime
    month: Month
    currency: str
    total: Decimal
    services: Mapping[str, Decimal] = field(default_factory=dict)
    operators: Mapping[str, Decimal] = field(default_factory=dict)

    @classmethod
    def from_row(
        cls, *, collected_at: datetime, year: int, month: int, currency: str, total: Decimal, usage_lines: Iterable[Any]
    ) -> CostPoint:
        lines = list(usage_lines)
        return cls(collected_at, Month(year, month), currency, total, services_of(lines), operators_of(lines))


@dataclass(frozen=True)
class StatePoint:
    """One collection_states row."""

    kind: str
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True)
class Ledger:
    """One organisation's ledger; balances and costs in any order (sorted here).

    A window of it (read_model.refresh) holds only recent points and names the moment of the
    ledger's first snapshot in `first_at`, which the accrual rules need."""

    balances: Sequence[BalancePoint] = ()
    costs: Sequence[CostPoint] = ()
    states: Sequence[StatePoint] = ()
    first_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "balances", tuple(sorted(self.balances, key=lambda p: p.collected_at)))
        object.__setattr__(self, "costs", tuple(sorted(self.costs, key=lambda p: (p.collected_at, p.month))))

    @property
    def first_snapshot_at(self) -> datetime | None:
        moments = [points[0].collected_at for points in (self.balances, self.costs) if points]
        moments += [self.first_at] if self.first_at else []
        return min(moments) if moments else None

    @property
    def as_of(self) -> datetime | None:
        """The latest moment the ledger knows of: the figures are computed as of then, never of the
        wall clock, so rebuilding later gives the same rows (readers judge staleness from it)."""
        moments = [points[-1].collected_at for points in (self.balances, self.costs) if points]
        for state in self.states:
            moments += [m for m in (state.last_attempt_at, state.last_success_at, state.last_error_at) if m]
        return max(moments) if moments else None

    def state(self, kind: str) -> StatePoint | None:
        return next((state for state in self.states if state.kind == kind), None)


def services_of(usage_lines: Iterable[Any]) -> dict[str, Decimal]:
    """Usage per service of one snapshot (operators summed); amounts are decimal strings. A line whose stored
    amount is not a sane number (kept from before validation tightened) counts in no service, so one odd
    legacy row never stops the organisation's collection."""
    return _sums(usage_lines, lambda line: str(line.get("service")))


def operators_of(usage_lines: Iterable[Any]) -> dict[str, Decimal]:
    """Usage per operator of one snapshot (services summed), by the operator's name (its id when it has none);
    a line attributed to no operator counts in none."""
    return _sums(usage_lines, lambda line: operator_key(line.get("operator_name"), line.get("operator_id")))


def operator_key(name: object, operator_id: object) -> str | None:
    """How the daily figures name an operator: its name, else its id, else None (no operator)."""
    for value in (name, operator_id):
        if value is not None and str(value).strip():
            return str(value)
    return None


def _sums(usage_lines: Iterable[Any], key: Callable[[dict[str, Any]], str | None]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in usage_lines:
        amount = stored_decimal(line.get("amount")) if isinstance(line, dict) else None
        name = None if amount is None else key(line)
        if amount is not None and name is not None:
            totals[name] = totals.get(name, Decimal(0)) + amount
    return totals


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
