"""Helpers for the notification tests: an endpoint through the service, a delivery made due, what was logged."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.factories import make_org
from webapp.extensions import db
from webapp.models import MailMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webapp.models.types import utcnow
from webapp.notifications.endpoints import create_endpoint


def endpoint_for(url: str, **org) -> tuple[WebhookEndpoint, str]:
    new = create_endpoint(organization_id=make_org(**org).id, url=url)
    db.session.commit()
    return new.endpoint, new.secret


def delivery_of(event_id: str) -> WebhookDelivery:
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)).one()


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    stmt = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.id)
    return list(db.session.scalars(stmt))


def make_due(delivery_id: int) -> None:
    """Time passes: the next attempt is due now (instead of waiting out the schedule)."""
    due_now = update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(next_attempt_at=utcnow())
    db.session.execute(due_now)
    db.session.commit()


def mails() -> list[MailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))
