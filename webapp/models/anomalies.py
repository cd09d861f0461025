"""Spend anomaly episodes (SPEC §9): kept by collection beside the read model, marked by managers.

webapp/domain/anomalies.py finds the episodes; webapp/read_model/anomalies.py stores them (one row per
organisation, scope and first anomalous day). `scope` is "" for the organisation as a whole, else the
service. The manager's mark (expected / unexpected, who, when) survives every re-detection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Model
from webapp.models.snapshots import JSONDocument
from webapp.models.types import Money, UTCDateTime

ORGANIZATION_SCOPE = ""
MARKS = ("expected", "unexpected")


class SpendAnomaly(Model):
    """One episode: anomalous days from opened_on to last_day, closed after the quiet days (closed_on)."""

    __tablename__ = "spend_anomalies"
    __table_args__ = (
        UniqueConstraint("organization_id", "scope", "opened_on", name="uq_spend_anomalies_episode"),
        Index("ix_spend_anomalies_open", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    scope: Mapped[str] = mapped_column(String(200))  # "" = the organisation, else the service
    opened_on: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # open | closed
    days: Mapped[int] = mapped_column(SmallInteger)
    expected: Mapped[Decimal] = mapped_column(Money)
    actual: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    top_services: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)  # [{name, expected, actual}]
    top_operators: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    method: Mapped[str] = mapped_column(String(40))
    mark: Mapped[str | None] = mapped_column(String(10))  # expected | unexpected | None
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def excess(self) -> Decimal:
        return self.actual - self.expected

    @property
    def scope_label(self) -> str:
        return self.scope or "whole organisation"

    @property
    def service_drivers(self) -> list[StoredDriver]:
        return [StoredDriver.of(item) for item in self.top_services]

    @property
    def operator_drivers(self) -> list[StoredDriver]:
        return [StoredDriver.of(item) for item in self.top_operators]


@dataclass(frozen=True, slots=True)
class StoredDriver:
    """One stored driver (JSON: amounts as decimal strings) with its amounts as Decimals."""

    name: str
    expected: Decimal
    actual: Decimal

    @classmethod
    def of(cls, item: dict[str, Any]) -> StoredDriver:
        return cls(str(item["name"]), Decimal(item["expected"]), Decimal(item["actual"]))

    @property
    def excess(self) -> Decimal:
        return self.actual - self.expected
