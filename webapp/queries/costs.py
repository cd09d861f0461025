"""Read side for monthly cost snapshots: the ledger statements, one month's breakdown, like-for-like
comparison. Functions take the organisation first and never commit. Values already stored are read
tolerantly: one that is not a sane number (stored before validation tightened) becomes None, so pages
and exports show a placeholder instead of failing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Select, select

from webapp.domain.money import stored_decimal
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import CostSnapshot

ZERO = Decimal(0)
LINE_SORTS = ("service", "operator", "quantity", "amount")
UNATTRIBUTED = "Unattributed"


def latest_cost_stmt(organization_id: int, year: int, month: int) -> Select:
    """The newest snapshot of (organisation, month): one backward probe of
    ix_cost_snapshots_org_month_collected."""
    return (
        select(CostSnapshot)
        .where(
            CostSnapshot.organization_id == organization_id,
            CostSnapshot.year == year,
            CostSnapshot.month == month,
        )
        .order_by(CostSnapshot.collected_at.desc())
        .limit(1)
    )


def cost_months_stmt(organization_id: int) -> Select:
    """(year, month) pairs that have at least one snapshot, newest first."""
    return (
        select(CostSnapshot.year, CostSnapshot.month)
        .distinct()
        .where(CostSnapshot.organization_id == organization_id)
        .order_by(CostSnapshot.year.desc(), CostSnapshot.month.desc())
    )


def month_accrual_stmt(organization_id: int, year: int, month: int) -> Select:
    """(collected_at, total, currency) of every snapshot of a month, oldest first — no JSON read."""
    return (
        select(CostSnapshot.collected_at, CostSnapshot.total, CostSnapshot.currency)
        .where(
            CostSnapshot.organization_id == organization_id,
            CostSnapshot.year == year,
            CostSnapshot.month == month,
        )
        .order_by(CostSnapshot.collected_at)
    )


class FeeRow(NamedTuple):
    """A stored fee; amount None when the stored value is not a sane number."""

    code: str
    name: str
    amount: Decimal | None


class UsageRow(NamedTuple):
    """A stored usage line; quantity/amount None when the stored value is not a sane number."""

    service: str
    operator_id: str | None
    operator_name: str | None
    quantity: Decimal | None
    unit: str
    amount: Decimal | None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def fees_of(snapshot: CostSnapshot) -> list[FeeRow]:
    """The snapshot's fees with exact Decimal amounts (stored as decimal strings)."""
    return [FeeRow(_text(f.get("code")), _text(f.get("name")), stored_decimal(f.get("amount"))) for f in snapshot.fees]


def usage_lines_of(snapshot: CostSnapshot) -> list[UsageRow]:
    """The snapshot's usage lines with exact Decimal quantities and amounts."""
    return [
        UsageRow(
            _text(line.get("service")),
            line.get("operator_id"),
            line.get("operator_name"),
            stored_decimal(line.get("quantity")),
            _text(line.get("unit")),
            stored_decimal(line.get("amount")),
        )
        for line in snapshot.usage_lines
    ]


def _sum(values: list[Decimal | None]) -> Decimal:
    return sum((value for value in values if value is not None), ZERO)


def unattributed_difference(snapshot: CostSnapshot) -> Decimal:
    """Usage fee minus the sum of usage lines: what the provider billed but did not itemise.
    Shown as "unattributed", never silently corrected. Zero when there is no usage fee."""
    usage_fees = [fee.amount for fee in fees_of(snapshot) if fee.code == "usage"]
    if not usage_fees:
        return ZERO
    return _sum(usage_fees) - _sum([line.amount for line in usage_lines_of(snapshot)])


@dataclass(frozen=True, slots=True)
class MonthOption:
    month: Month
    accruing: bool

    @property
    def key(self) -> str:
        return self.month.key


def months_with_data(organization_id: int, now: datetime) -> list[MonthOption]:
    """Months that have cost snapshots, newest first; a month accrues until it has ended."""
    return [
        MonthOption(Month(year, month), accruing=now < Month(year, month).end)
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


def month_breakdown(organization_id: int, month: Month, snapshot_id: int | None = None) -> Breakdown | None:
    """The month as its latest snapshot (or the given one) shows it; None when the month has no data."""
    statement = latest_cost_stmt(organization_id, *month)
    if snapshot_id is not None:
        statement = statement.where(CostSnapshot.id == snapshot_id)
    snapshot = db.session.scalar(statement)
    if snapshot is None:
        return None
    lines = usage_lines_of(snapshot)
    lines_total = _sum([line.amount for line in lines])
    accrual = [
        (at, total)
        for at, total, currency in db.session.execute(month_accrual_stmt(organization_id, *month))
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


def _shares(lines: list[UsageRow], total: Decimal, key_of: Callable[[UsageRow], tuple[str | None, str]]) -> list[Share]:
    """Lines summed per key, largest first; shares of the itemised total (None when it is zero)."""
    sums: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    names: dict[str | None, str] = {}
    for line in lines:
        key, name = key_of(line)
        sums[key] += line.amount or ZERO
        names[key] = name
    ordered = sorted(sums.items(), key=lambda item: (-item[1], names[item[0]]))
    return [Share(key, names[key], amount, amount / total * 100 if total else None) for key, amount in ordered]


def compare_with_previous_month(organization_id: int, snapshot: CostSnapshot) -> Comparison:
    """Like for like: this snapshot's total against the previous month's total at the same
    elapsed time (the whole month once this one has ended). No previous data → previous None."""
    month = Month(snapshot.year, snapshot.month)
    full_month = snapshot.collected_at >= month.end
    elapsed = min(snapshot.collected_at, month.end) - month.start
    previous_month = month.previous
    statement = latest_cost_stmt(organization_id, *previous_month)
    if not full_month and previous_month.start + elapsed < previous_month.end:
        statement = statement.where(CostSnapshot.collected_at <= previous_month.start + elapsed)
    previous = db.session.execute(statement.with_only_columns(CostSnapshot.total, CostSnapshot.currency)).first()
    return Comparison(
        current=snapshot.total,
        previous=previous.total if previous is not None and previous.currency == snapshot.currency else None,
        elapsed_days=Decimal(elapsed.total_seconds()) / 86400,
        full_month=full_month,
    )


def sort_lines(lines: list[UsageRow], key: str, desc: bool) -> list[UsageRow]:
    """Lines sorted by a column; an unreadable stored number sorts as zero."""
    keys: dict[str, Callable[[UsageRow], Any]] = {
        "service": lambda line: (line.service.lower(), -(line.amount or ZERO)),
        "operator": lambda line: ((line.operator_name or "~").lower(), -(line.amount or ZERO)),
        "quantity": lambda line: line.quantity or ZERO,
        "amount": lambda line: line.amount or ZERO,
    }
    return sorted(lines, key=keys.get(key, keys["amount"]), reverse=desc)


def month_accrual(organization_id: int, month: Month, currency: str) -> list[tuple[datetime, Decimal]]:
    """(collected_at, total) of every snapshot of a month in `currency`, oldest first (a curve to compare)."""
    rows = db.session.execute(month_accrual_stmt(organization_id, *month))
    return [(at, total) for at, total, row_currency in rows if row_currency == currency]
