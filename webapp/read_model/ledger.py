"""What the read model is computed from: one organisation's ledger as plain values (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from webapp.domain.money import stored_decimal
from webapp.domain.months import Month

ZERO = Decimal(0)


@dataclass(frozen=True)
class BalancePoint:
    collected_at: datetime
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class CostPoint:
    """A cost snapshot reduced to what derivation needs: the month's total, usage per service, and usage per
    operator by the operator's id (a line with no operator id is attributed to no operator, as on the cost
    page) with the name each id is shown by (its name, else the id)."""

    collected_at: datetime
    month: Month
    currency: str
    total: Decimal
    services: Mapping[str, Decimal] = field(default_factory=dict)
    operators: Mapping[str, Decimal] = field(default_factory=dict)
    operator_names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_row(
        cls, *, collected_at: datetime, year: int, month: int, currency: str, total: Decimal, usage_lines: Iterable[Any]
    ) -> CostPoint:
        return cls(collected_at, Month(year, month), currency, total, *usage_of(usage_lines))


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


def usage_of(usage_lines: Iterable[Any]) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, str]]:
    """Usage per service (operators summed) and per operator id (services summed) of one snapshot, and each
    id's name, in one pass; amounts are decimal strings. A line whose stored amount is not a sane number (kept
    from before validation tightened) counts nowhere, so one odd legacy row never stops the organisation's
    collection."""
    services: dict[str, Decimal] = {}
    operators: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    for line in usage_lines:
        amount = stored_decimal(line.get("amount")) if isinstance(line, dict) else None
        if amount is None:
            continue
        service = str(line.get("service"))
        services[service] = services.get(service, ZERO) + amount
        operator = line.get("operator_id")
        if operator is not None:
            operator = str(operator)
            operators[operator] = operators.get(operator, ZERO) + amount
            names[operator] = str(line.get("operator_name") or operator)
    return services, operators, names


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
