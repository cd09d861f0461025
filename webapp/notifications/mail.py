"""Mail: `send_mail` stores a message once per idempotency key; it goes out by SMTP (SMTP_URL) with
retries until sent, or, without SMTP_URL, stays in the local outbox that the admin outbox page shows."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models import MailMessage
from webapp.models.mail import OUTBOX, QUEUED
from webapp.models.types import utcnow
from webapp.notifications.pending import remember
from webapp.services.errors import ValidationError

MAX_SUBJECT = 300


def _recipients(to: str | list[str]) -> list[str]:
    addresses = [to] if isinstance(to, str) else list(to)
    cleaned = [address.strip() for address in addresses if address and address.strip()]
    if not cleaned:
        raise ValidationError("to", "A message needs at least one recipient.")
    for address in cleaned:
        if "@" not in address or any(c in address for c in "\r\n,<>"):
            raise ValidationError("to", f"{address!r} is not a plain email address.")
    return cleaned


def send_mail(
    session: Session, to: str | list[str], subject: str, text: str, html: str, idempotency_key: str
) -> MailMessage:
    """Add a message (plain text + HTML alternative) unless one with this key exists; returns the stored one.

    The caller builds `html` with escaping (Jinja autoescape) and commits; the message is sent after
    that commit, once, whatever the retries of the caller or of the sending."""
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValidationError("idempotency_key", "An idempotency key of 1–200 characters is required.")
    existing = session.scalar(select(MailMessage).where(MailMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    subject = " ".join(subject.split())[:MAX_SUBJECT]  # no line breaks in a header
    smtp = current_app.config.get("SMTP")
    message = MailMessage(
        idempotency_key=idempotency_key,
        recipients=_recipients(to),
        subject=subject,
        text_body=text,
        html_body=html,
        status=QUEUED if smtp else OUTBOX,
        attempts=0,
        next_attempt_at=utcnow() if smtp else None,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:  # the same key, written concurrently: that one is the message
        return session.scalars(select(MailMessage).where(MailMessage.idempotency_key == idempotency_key)).one()
    if smtp:
        remember(session, "mail", message.id)
    return message
