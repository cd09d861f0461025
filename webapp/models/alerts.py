"""Alerts (SPEC §10): each (organisation, rule)'s current state, and the append-only events of its changes.

webapp/domain/alerts.py holds the rules and the state machine; webapp/alerts evaluates them and writes
these rows. A unique constraint on the events makes a second event for one transition impossible:
within one episode (a firing spell of one rule) there is one `triggered`, at most one `escalated` per
level (levels only rise within an episode) and one `resolved`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Model
from webapp.models.snapshots import JSONDocument
from webapp.models.types import UTCDateTime, utcnow


class AlertState(Model):
    """Where one rule of one organisation stands now (updated in place by every evaluation)."""

    __tablename__ = "alert_states"
    __table_args__ = (Index("ix_alert_states_firing", "level", "organization_id"),)

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(20), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")  # domain Level
    episode: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # bumped on trigger
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the current episode triggered
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)  # what the last change saw
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertEvent(Model):
    """One transition of one rule: triggered, escalated or resolved. Append-only."""

    __tablename__ = "alert_events"
    __table_args__ = (
        UniqueConstraint("organization_id", "rule", "episode", "kind", "level", name="uq_alert_events_transition"),
        Index("ix_alert_events_occurred", "occurred_at"),
        Index("ix_alert_events_org_occurred", "organization_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    rule: Mapped[str] = mapped_column(String(20))
    episode: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # domain Transition
    level: Mapped[int] = mapped_column(SmallInteger)  # the level after the transition (0 when resolved)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class AlertOverride(Model):
    """One organisation's departures from the configured alert defaults (set on the admin organisation page)."""

    __tablename__ = "alert_overrides"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    muted: Mapped[list[str]] = mapped_column(JSONDocument, default=list)  # rule names; overdrawn is never muted
    runway_days: Mapped[list[int] | None] = mapped_column(JSONDocument)  # [warning, high, critical] or None
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NotificationPreference(Model):
    """How a user wants alert mail (account page). No row: managers get instant + digest, admins nothing."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(20), default="instant_digest")
    # Admins see every organisation; they get its alert mail only when they opt in.
    admin_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
