"""The monthly cost page's reads: months with data, one month's breakdown, like-for-like comparison."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from webapp.extensions import db
from webapp.models import CostSnapshot
from webapp.queries.costs import (
    FeeRow,
    UsageRow,
    cost_months_stmt,
    fees_of,
    latest_cost_stmt,
    month_accrual_stmt,
    month_bounds,
    unattributed_difference,
    usage_lines_of,
)

ZERO = Decimal(0)
LINE_SORTS = ("service", "operator", "quantity", "amount")
UNATTRIBUTED = "Unattributed"


@dataclass(frozen=True, slots=True)
class MonthOption:
    year: int
    month: int
    accruing: bool

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def months_with_data(organization_id: int, now: datetime) -> list[MonthOption]:
    """Months that have cost snapshots, newest first; a month accrues until it has ended."""
    return [
        MonthOption(year, month, accruing=now < month_bounds(year, month)[1])
        for year, month in db.session.execute(cost_months_stmt(organization_id))
    ]


@dataclass(frozen=True, slots=True)
class Share:
    key: str | None
    name: str
    amount: Decimal
    share: Decimal | None


@dataclass(frozen=True, slots=True)
class Comparison:
    current: Decimal
    previous: Decimal | None
    elapsed_days: Decimal
    full_month: bool

    @property
    def delta(self) -> Decimal | None:
        return None if self.previous is None else self.current - self.previous

    @property
    def percent(self) -> Decimal | None:
        if self.previous is None or self.previous == 0:
            return None
        return (self.current - self.previous) / self.previous * 100


@dataclass(frozen=True, slots=True)
class Breakdown:
    snapshot: CostSnapshot
    fees: list[FeeRow]
    lines: list[UsageRow]
    lines_total: Decimal
    unattributed: Decimal
    by_service: list[Share]
    by_operator: list[Share]
    accrual: list[tuple[datetime, Decimal]]
    comparison: Comparison


def month_breakdown(organization_id: int, year: int, month: int, snapshot_id: int | None = None) -> Breakdown | None:
    """The month as its latest snapshot (or the given one) shows it; None when the month has no data."""
    statement = latest_cost_stmt(organization_id, year, month)
    if snapshot_id is not None:
        statement = statement.where(CostSnapshot.id == snapshot_id)
    snapshot = db.session.scalar(statement)
    if snapshot is None:
        return None
    lines = usage_lines_of(snapshot)
    lines_total = sum((line.amount for line in lines), ZERO)
    accrual = [
        (at, total)
        for at, total, currency in db.session.execute(month_accrual_stmt(organization_id, year, month))
        if currency == snapshot.currency and at <= snapshot.collected_at
    ]
    return Breakdown(
        snapshot=snapshot,
        fees=fees_of(snapshot),
        lines=lines,
        lines_total=lines_total,
        unattributed=unattributed_difference(snapshot),
        by_service=_shares(lines, lines_total, lambda line: (line.service, line.service)),
        by_operator=_shares(lines, lines_total, _operator_key),
        accrual=accrual,
        comparison=compare_with_previous_month(organization_id, snapshot),
    )


def _operator_key(line: UsageRow) -> tuple[str | None, str]:
    if line.operator_id is None:
        return None, UNATTRIBUTED
    return line.operator_id, line.operator_name or line.operator_id


def _shares(lines: list[UsageRow], total: Decimal, key_of) -> list[Share]:
    """Lines summed per key, largest first; shares of the itemised total (None when it is zero)."""
    sums: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    names: dict[str | None, str] = {}
    for line in lines:
        key, name = key_of(line)
        sums[key] += line.amount
        names[key] = name
    ordered = sorted(sums.items(), key=lambda item: (-item[1], names[item[0]]))
    return [Share(key, names[key], amount, amount / total * 100 if total else None) for key, amount in ordered]


def compare_with_previous_month(organization_id: int, snapshot: CostSnapshot) -> Comparison:
    """Like for like: this snapshot's total against the previous month's total at the same
    elapsed time (the whole month once this one has ended). No previous data → previous None."""
    start, end = month_bounds(snapshot.year, snapshot.month)
    full_month = snapshot.collected_at >= end
    elapsed = min(snapshot.collected_at, end) - start
    prev_year, prev_month = shift_month(snapshot.year, snapshot.month, -1)
    prev_start, prev_end = month_bounds(prev_year, prev_month)
    statement = latest_cost_stmt(organization_id, prev_year, prev_month)
    if not full_month and prev_start + elapsed < prev_end:
        statement = statement.where(CostSnapshot.collected_at <= prev_start + elapsed)
    previous = db.session.execute(statement.with_only_columns(CostSnapshot.total, CostSnapshot.currency)).first()
    usable = previous is not None and previous.currency == snapshot.currency
    return Comparison(
        current=snapshot.total,
        previous=previous.total if usable else None,
        elapsed_days=Decimal(elapsed.total_seconds()) / 86400,
        full_month=full_month,
    )


def sort_lines(lines: list[UsageRow], key: str, desc: bool) -> list[UsageRow]:
    keys = {
        "service": lambda line: (line.service.lower(), -line.amount),
        "operator": lambda line: ((line.operator_name or "~").lower(), -line.amount),
        "quantity": lambda line: line.quantity,
        "amount": lambda line: line.amount,
    }
    return sorted(lines, key=keys.get(key, keys["amount"]), reverse=desc)


def month_snapshot_id(organization_id: int, year: int, month: int) -> int | None:
    return db.session.scalar(latest_cost_stmt(organization_id, year, month).with_only_columns(CostSnapshot.id))
