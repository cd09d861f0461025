"""Webhook events: the types, the documented JSON body, and `enqueue_event` (one delivery per active endpoint)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.alerts import EVENT_FAMILIES, Transition
from webapp.domain.money import format_amount
from webapp.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webapp.models.types import utcnow
from webapp.notifications.pending import remember
from webapp.services.errors import ValidationError
from webapp.services.exports import iso_utc

RULES = tuple(EVENT_FAMILIES.values())
TRANSITIONS = tuple(transition.value for transition in Transition)
EVENT_TYPES = frozenset({f"{rule}.{change}" for rule in RULES for change in TRANSITIONS} | {"test"})
EVENT_ID_PREFIX = "msg_"


def _plain(value: Any) -> Any:
    """JSON-ready data: amounts as strings (SPEC §2), times as ISO 8601 UTC with Z; floats refused."""
    if isinstance(value, float):
        raise TypeError("webhook data must not carry floats: pass amounts as Decimal or strings")
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("webhook data must carry timezone-aware datetimes")
        return iso_utc(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def event_body(event_id: str, event_type: str, organization_id: int, occurred_at: datetime, data: dict) -> str:
    """The documented payload (docs/webhooks.md), serialised once: every attempt sends these exact bytes."""
    document = {
        "id": event_id,
        "type": event_type,
        "organization_id": organization_id,
        "occurred_at": iso_utc(occurred_at),
        "data": _plain(data),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def new_event_id() -> str:
    return EVENT_ID_PREFIX + secrets.token_hex(12)


def enqueue_event(
    session: Session,
    organization_id: int,
    event_type: str,
    payload: dict,
    *,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
    endpoint_ids: list[int] | None = None,
    fresh: bool = False,
) -> WebhookEvent:
    """Add an event and one pending delivery per active endpoint of the organisation (or the given ones).

    Idempotent by `event_id`: an event already stored is returned as it is, no delivery added; `fresh`
    skips that look-up when the id cannot exist yet (derived from a row this transaction just inserted).
    The caller commits; the deliveries are sent after that commit (see dispatch.py)."""
    if event_type not in EVENT_TYPES:
        raise ValidationError("event_type", f"Unknown webhook event type {event_type!r}.")
    if event_id is not None and not fresh and (existing := session.get(WebhookEvent, event_id)) is not None:
        return existing
    event_id = event_id or new_event_id()
    occurred_at = occurred_at or utcnow()
    event = WebhookEvent(
        id=event_id,
        organization_id=organization_id,
        event_type=event_type,
        occurred_at=occurred_at,
        body=event_body(event_id, event_type, organization_id, occurred_at, payload),
    )
    session.add(event)
    _add_deliveries(session, event, endpoint_ids)
    return event


def _add_deliveries(session: Session, event: WebhookEvent, endpoint_ids: list[int] | None) -> None:
    """One pending delivery, due now, per active endpoint of the event's organisation (or of those given)."""
    endpoints = select(WebhookEndpoint.id).where(
        WebhookEndpoint.organization_id == event.organization_id, WebhookEndpoint.disabled_at.is_(None)
    )
    if endpoint_ids is not None:
        endpoints = endpoints.where(WebhookEndpoint.id.in_(endpoint_ids))
    now = utcnow()
    deliveries = [
        WebhookDelivery(event_id=event.id, endpoint_id=endpoint_id, status="pending", attempts=0, next_attempt_at=now)
        for endpoint_id in session.scalars(endpoints.order_by(WebhookEndpoint.id))
    ]
    session.add_all(deliveries)
    session.flush()
    for delivery in deliveries:
        remember(session, "webhook", delivery.id)
