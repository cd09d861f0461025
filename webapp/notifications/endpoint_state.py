"""An endpoint's health: failures since when, disabling (by hand, on 410, after 5 days of failures) with mail."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.models import Organization, User, WebhookDelivery, WebhookEndpoint
from webapp.notifications.mail import send_mail
from webapp.notifications.retries import GIVE_UP_AFTER


def endpoint_succeeded(endpoint: WebhookEndpoint) -> None:
    endpoint.failing_since = None


def endpoint_failed(session: Session, endpoint: WebhookEndpoint, now: datetime) -> bool:
    """Count a failure; True if the endpoint has now failed for 5 days and was disabled."""
    endpoint.failing_since = endpoint.failing_since or now
    if now - endpoint.failing_since < GIVE_UP_AFTER:
        return False
    disable(session, endpoint, "failing for 5 days", now, notify=True)
    return True


def endpoint_gone(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    disable(session, endpoint, "the receiver answered 410 Gone", now, notify=True)


def disable(session: Session, endpoint: WebhookEndpoint, reason: str, now: datetime, *, notify: bool) -> bool:
    """Disable the endpoint and give up its pending deliveries; False if it was already disabled."""
    if endpoint.disabled_at is not None:
        return False
    endpoint.disabled_at, endpoint.disabled_reason = now, reason[:300]
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
        .values(status="failed", finished_at=now, next_attempt_at=None)
        .execution_options(synchronize_session="fetch")
    )
    if notify:
        _mail_admins(session, endpoint)
    return True


def _mail_admins(session: Session, endpoint: WebhookEndpoint) -> None:
    """Tell the admins which endpoint of which organisation stopped receiving events, and why."""
    admins = list(session.scalars(select(User.email).where(User.role == "admin", User.active).order_by(User.id)))
    if not admins:
        return
    organization = session.get(Organization, endpoint.organization_id)
    context = {"endpoint": endpoint, "organization": organization}
    send_mail(
        session,
        admins,
        f"Webhook endpoint {endpoint.id} of {organization.name if organization else '?'} was disabled",
        render_template("mail/webhook_disabled.txt", **context),
        render_template("mail/webhook_disabled.html", **context),
        f"webhook-endpoint-disabled-{endpoint.id}",
    )
