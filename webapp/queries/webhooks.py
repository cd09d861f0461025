"""Webhook endpoints, their delivery log and the mail kept locally, for the admin pages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import MailMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

LOG_LIMIT = 100


@dataclass(frozen=True, slots=True)
class LoggedDelivery:
    delivery: WebhookDelivery
    event: WebhookEvent
    attempts: list[WebhookAttempt]


def endpoints_of(organization_id: int) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization_id)
    return list(db.session.scalars(stmt.order_by(WebhookEndpoint.disabled_at.is_not(None), WebhookEndpoint.id)))


def delivery_log(endpoint_id: int, *, limit: int = LOG_LIMIT) -> list[LoggedDelivery]:
    """The endpoint's latest deliveries, newest first, each with its event and every attempt (oldest first)."""
    rows = db.session.execute(
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    ).all()
    attempts: dict[int, list[WebhookAttempt]] = defaultdict(list)
    ids = [delivery.id for delivery, _ in rows]
    stmt = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)).order_by(WebhookAttempt.id)
    for attempt in db.session.scalars(stmt) if ids else []:
        attempts[attempt.delivery_id].append(attempt)
    return [LoggedDelivery(delivery, event, attempts[delivery.id]) for delivery, event in rows]


def outbox(*, limit: int = 200) -> list[MailMessage]:
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id.desc()).limit(limit)))
