"""Audit log: who did what, when and from where. Append-only, like the snapshots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Model
from webapp.models.types import UTCDateTime, utcnow

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class AuditEvent(Model):
    """One recorded action. `actor` is a label kept as it was (an email, or api:<client id>)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_action_at", "action", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
