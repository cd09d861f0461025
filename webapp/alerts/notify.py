"""Telling the outside about recorded transitions (SPEC §10), in the evaluation's transaction.

Each transition this evaluation recorded (its event id is not None) becomes one webhook event whose id
is derived from the alert event's id, so a retried evaluation can never make a second one; a critical
one also becomes an instant mail to each instant recipient, one per user and transition (idempotency
key). Nothing here commits: the rows go out after the caller's commit (webapp.notifications).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from webapp.alerts.messages import event_data, event_type, idempotency_key, instant_mail, wants_instant_mail
from webapp.alerts.recipients import instant_recipients
from webapp.extensions import db
from webapp.models import Organization
from webapp.notifications import enqueue_event, send_mail

if TYPE_CHECKING:
    from webapp.alerts.evaluate import Change


def webhook_event_id(alert_event_id: int) -> str:
    """The webhook event id of an alert event: the same on every retry of the evaluation."""
    return f"msg_alert_{alert_event_id}"


def notify(changes: Sequence[Change], *, instant: bool = True) -> None:
    """Enqueue the webhook events (and, when `instant`, the critical mails) of the recorded changes."""
    recorded = [change for change in changes if change.event_id is not None]
    for change in recorded:
        assert change.event_id is not None
        enqueue_event(
            db.session(),
            change.organization_id,
            event_type(change),
            event_data(change),
            event_id=webhook_event_id(change.event_id),
            occurred_at=change.occurred_at,
            fresh=True,  # the alert event was inserted just now: no webhook event can carry its id yet
        )
        if instant and wants_instant_mail(change):
            _mail(change)


def _mail(change: Change) -> None:
    recipients = instant_recipients(change.organization_id)
    if not recipients:
        return
    name = db.session.get(Organization, change.organization_id)
    subject, text, html = instant_mail(change, name.name if name is not None else f"#{change.organization_id}")
    for user in recipients:
        send_mail(db.session(), user.email, subject, text, html, idempotency_key(change, user.id))
