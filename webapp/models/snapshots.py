"""Append-only snapshots: the balance ledger and monthly cost snapshots.

Nothing in the application updates or deletes these rows; on PostgreSQL a
trigger (see migrations) refuses UPDATE, DELETE and TRUNCATE outright.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Model
from webapp.models.types import Money, UTCDateTime

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
BigId = BigInteger().with_variant(Integer(), "sqlite")


class BalanceSnapshot(Model):
    """A row exists only where amount or currency differed from the row before."""

    __tablename__ = "balance_snapshots"
    __table_args__ = (Index("ix_balance_snapshots_org_collected", "organization_id", "collected_at", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CostSnapshot(Model):
    """What the provider reported for one month at one moment.

    `fees` and `usage_lines` are JSON lists with amounts as decimal strings;
    docs/data-model.md explains why they are not a child table.
    """

    __tablename__ = "cost_snapshots"
    __table_args__ = (
        Index(
            "ix_cost_snapshots_org_month_collected",
            "organization_id",
            "year",
            "month",
            "collected_at",
            unique=True,
        ),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money)
    fees: Mapped[list] = mapped_column(JSONDocument)
    usage_lines: Mapped[list] = mapped_column(JSONDocument)
