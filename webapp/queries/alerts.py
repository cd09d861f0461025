"""Alerts, read side: open alerts (firing states) and the event history, of the organisations given."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from webapp.models import AlertEvent, AlertState, Organization


def open_alerts_stmt(organization_ids: Sequence[int] | None = None) -> Select[AlertState, str]:
    """Firing (organisation, rule) states, most severe first, with the organisation's name."""
    query = (
        select(AlertState, Organization.name)
        .join(Organization, Organization.id == AlertState.organization_id)
        .where(AlertState.level > 0)
        .order_by(AlertState.level.desc(), AlertState.since, AlertState.organization_id, AlertState.rule)
    )
    if organization_ids is not None:
        query = query.where(AlertState.organization_id.in_(organization_ids))
    return query


def events_stmt(organization_ids: Sequence[int] | None = None, *, limit: int = 100) -> Select[AlertEvent, str]:
    """The latest events, newest first, with the organisation's name."""
    query = (
        select(AlertEvent, Organization.name)
        .join(Organization, Organization.id == AlertEvent.organization_id)
        .order_by(AlertEvent.occurred_at.desc(), AlertEvent.id.desc())
        .limit(limit)
    )
    if organization_ids is not None:
        query = query.where(AlertEvent.organization_id.in_(organization_ids))
    return query
