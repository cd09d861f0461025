"""Collection bookkeeping: runs, per-organisation outcomes, and freshness state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import Model
from webapp.models.types import UTCDateTime, utcnow


class CollectionKind(StrEnum):
    """What a collection run collects; the values are what the database stores."""

    BALANCES = "balances"
    COSTS = "costs"


KINDS = tuple(CollectionKind)
OUTCOMES = ("written", "unchanged", "no_costs", "failed")
# "organization": every write into one organisation's ledger and read model (both kinds)
_LOCK_NAMESPACE = {"balances": 1, "costs": 2, "api_clients": 3, "organization": 4}


class CollectionRun(Model):
    """One pass of a collection kind over one or more organisations."""

    __tablename__ = "collection_runs"
    __table_args__ = (Index("ix_collection_runs_kind_started", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    written: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    no_costs: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class CollectionOutcome(Model):
    """What one run did for one organisation."""

    __tablename__ = "collection_outcomes"
    __table_args__ = (Index("ix_collection_outcomes_org", "organization_id", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("collection_runs.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class CollectionState(Model):
    """Freshness per (organisation, kind). For balances, last_success_at is the
    "last checked" time shown next to "unchanged since"."""

    __tablename__ = "collection_states"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def lock_organization(organization_id: int, kind: str) -> None:
    """Serialise collectors of one (organisation, kind) for this transaction.

    PostgreSQL: an advisory transaction lock. SQLite allows one writer at a
    time, and record_attempt()'s upsert, issued right after, takes that lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :org)"),
            {"ns": _LOCK_NAMESPACE[kind], "org": organization_id},
        )
