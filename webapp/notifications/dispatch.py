"""After a commit, deliver what it stored: enqueue RQ jobs (REDIS_URL set), or deliver inline in a session of
its own (no Redis). The sweep finds what the database says is due, so a flushed Redis loses nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from webapp.collection.queue import connect
from webapp.extensions import db
from webapp.models import MailMessage, WebhookDelivery, WebhookEndpoint
from webapp.models.mail import QUEUED
from webapp.models.types import utcnow
from webapp.notifications.delivery import deliver_webhook
from webapp.notifications.pending import take
from webapp.notifications.queue import enqueue, notifications_queue
from webapp.notifications.smtp import deliver_mail

Due = tuple[str, int, datetime | None]  # (kind, id, when due)
log = logging.getLogger("webapp.notifications")
SWEEP_LIMIT = 5000


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released (send_mail's): the real commit is still to come
        return
    items = take(session)
    if not items or not has_app_context():
        return
    try:
        url = current_app.config["REDIS_URL"]
        if url:
            _enqueue(url, [(kind, item_id, None) for kind, item_id in items])
        else:
            deliver_inline(items)
    except Exception:  # the rows are committed: the sweep (or the next attempt) delivers them
        log.exception("notification dispatch failed; the sweep will retry")


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint rolled back: what the outer transaction queued stays
        return
    take(session)


def _enqueue(url: str, items: list[Due]) -> int:
    connection = connect(url)
    try:
        queue = notifications_queue(connection)
        return sum(enqueue(queue, kind, item_id, due) for kind, item_id, due in items)
    finally:
        connection.close()


def deliver_inline(items: list[tuple[str, int]]) -> None:
    """No Redis: this command or request delivers (one attempt each) in a session of its own."""
    session = db.session.session_factory()
    try:
        for kind, item_id in items:
            if kind == "webhook":
                deliver_webhook(session, item_id)
            else:
                deliver_mail(session, item_id)
    finally:
        session.close()


def due_items(session: Session, limit: int = SWEEP_LIMIT) -> list[Due]:
    """Pending webhook deliveries of active endpoints and queued mail whose next attempt is due."""
    now = utcnow()
    deliveries = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.disabled_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    mails = session.execute(
        select(MailMessage.id, MailMessage.next_attempt_at)
        .where(MailMessage.status == QUEUED, MailMessage.next_attempt_at <= now)
        .order_by(MailMessage.next_attempt_at)
        .limit(limit)
    ).all()
    session.commit()
    return [("webhook", row[0], row[1]) for row in deliveries] + [("mail", row[0], row[1]) for row in mails]


def deliver_due() -> int:
    """No Redis: attempt every delivery and mail now due (the retries), in sessions of their own; how many.
    The embedded default's background collector calls it once a minute, as the scheduler queues the sweep."""
    items = due_items(db.session())
    deliver_inline([(kind, item_id) for kind, item_id, _due in items])
    return len(items)


def sweep(session: Session, url: str) -> dict:
    """Enqueue every due attempt (ids carry the due time: one already queued is not queued twice)."""
    items = due_items(session)
    return {"due": len(items), "enqueued": _enqueue(url, items)}


def reschedule(url: str, kind: str, item_id: int, due: datetime | None) -> None:
    """After a failed attempt, queue the next one for when it is due (the sweep would find it too)."""
    _enqueue(url, [(kind, item_id, due)])


def init_dispatch() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
