"""Read side for monthly cost snapshots. Functions take the organisation first and never commit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Select, select

from webapp.models import CostSnapshot
from webapp.providers.base import Fee, UsageLine


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


# A stored fee or usage line has the same shape as what the provider reported.
FeeRow = Fee
UsageRow = UsageLine


def fees_of(snapshot: CostSnapshot) -> list[FeeRow]:
    """The snapshot's fees with exact Decimal amounts (stored as decimal strings)."""
    return [FeeRow(f["code"], f["name"], Decimal(f["amount"])) for f in snapshot.fees]


def usage_lines_of(snapshot: CostSnapshot) -> list[UsageRow]:
    """The snapshot's usage lines with exact Decimal quantities and amounts."""
    return [
        UsageRow(
            line["service"],
            line["operator_id"],
            line["operator_name"],
            Decimal(line["quantity"]),
            line["unit"],
            Decimal(line["amount"]),
        )
        for line in snapshot.usage_lines
    ]


def unattributed_difference(snapshot: CostSnapshot) -> Decimal:
    """Usage fee minus the sum of usage lines: what the provider billed but did not itemise.
    Shown as "unattributed", never silently corrected. Zero when there is no usage fee."""
    usage_fees = [fee.amount for fee in fees_of(snapshot) if fee.code == "usage"]
    if not usage_fees:
        return Decimal(0)
    return sum(usage_fees, Decimal(0)) - sum((line.amount for line in usage_lines_of(snapshot)), Decimal(0))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as a half-open UTC interval [start, end)."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end
