"""Webhook endpoints for the CLI and the admin pages: create (secret shown once), disable, send a test
event, resend a delivery — validated and audited (actor `cli` outside a request); the caller commits."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Organization, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webapp.models.types import utcnow
from webapp.notifications import endpoint_state
from webapp.notifications.events import enqueue_event
from webapp.notifications.pending import remember
from webapp.notifications.sealing import seal
from webapp.notifications.urls import check_url
from webapp.services import audit
from webapp.services.errors import ValidationError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
MAX_ENDPOINTS = 20


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown to the caller once


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def create_endpoint(*, organization_id: int, url: str) -> NewEndpoint:
    url = check_url(url, allow_private=bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"]))
    if db.session.get(Organization, organization_id) is None:
        raise ValidationError("org", f"No organisation with id {organization_id}.")
    active = select(WebhookEndpoint.url).where(
        WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.disabled_at.is_(None)
    )
    urls = list(db.session.scalars(active))
    if url in urls:
        raise ValidationError("url", "This organisation already has an active endpoint with this URL.")
    if len(urls) >= MAX_ENDPOINTS:
        raise ValidationError("url", f"An organisation has at most {MAX_ENDPOINTS} active endpoints.")
    secret = new_secret()
    endpoint = WebhookEndpoint(organization_id=organization_id, url=url, sealed_secret=seal(secret))
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        "webhook_endpoint_created", f"webhook endpoint {endpoint.id}", {"organization_id": organization_id, "url": url}
    )
    return NewEndpoint(endpoint, secret)


def endpoint_or_error(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise ValidationError("endpoint", f"No webhook endpoint with id {endpoint_id}.")
    return endpoint


def disable_endpoint(endpoint_id: int) -> tuple[WebhookEndpoint, bool]:
    """Disable by hand (no mail); False if it already was. Its pending deliveries are given up."""
    endpoint = endpoint_or_error(endpoint_id)
    changed = endpoint_state.disable(db.session(), endpoint, "disabled by hand", utcnow(), notify=False)
    if changed:
        details = {"organization_id": endpoint.organization_id}
        audit.record("webhook_endpoint_disabled", f"webhook endpoint {endpoint.id}", details)
    db.session.flush()
    return endpoint, changed


def send_test_event(endpoint_id: int) -> WebhookEvent:
    """A `test` event for this endpoint only; delivered after the caller's commit like any other."""
    endpoint = endpoint_or_error(endpoint_id)
    if endpoint.disabled_at is not None:
        raise ValidationError("endpoint", f"Webhook endpoint {endpoint_id} is disabled.")
    event = enqueue_event(
        db.session(),
        endpoint.organization_id,
        "test",
        {"message": "A test event from Account Desk.", "endpoint_id": endpoint.id},
        endpoint_ids=[endpoint.id],
    )
    audit.record("webhook_test_sent", f"webhook endpoint {endpoint.id}", {"event_id": event.id})
    return event


def resend_delivery(delivery_id: int) -> WebhookDelivery:
    """Send the same event (same webhook-id, same body) again to an active endpoint, now."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise ValidationError("delivery", f"No webhook delivery with id {delivery_id}.")
    endpoint = endpoint_or_error(delivery.endpoint_id)
    if endpoint.disabled_at is not None:
        raise ValidationError("endpoint", f"Webhook endpoint {endpoint.id} is disabled: nothing is sent to it.")
    delivery.status, delivery.next_attempt_at, delivery.finished_at = "pending", utcnow(), None
    delivery.first_failure_at = None
    audit.record("webhook_resent", f"webhook endpoint {endpoint.id}", {"event_id": delivery.event_id})
    db.session.flush()
    remember(db.session(), "webhook", delivery.id)
    return delivery
