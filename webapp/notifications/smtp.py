"""Sending a stored message over SMTP (smtplib + EmailMessage), claimed so duplicate jobs send it once."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from webapp.models import MailMessage
from webapp.models.mail import GIVEN_UP, QUEUED, SENT
from webapp.models.types import utcnow
from webapp.notifications.retries import MAIL_SCHEDULE, delay_after

LEASE = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(days=7)
TIMEOUT = 15


def build_message(mail: MailMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.recipients)
    message["Subject"] = mail.subject
    # The same Message-ID on every attempt, so a receiving system can drop a duplicate.
    message["Message-ID"] = f"<{hashlib.sha256(mail.idempotency_key.encode()).hexdigest()[:32]}@accountdesk>"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def _transmit(message: EmailMessage, smtp: dict) -> None:
    if smtp["tls"] == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp["host"], smtp["port"], timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp["host"], smtp["port"], timeout=TIMEOUT)
    with client:
        if smtp["tls"] == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp["username"]:
            client.login(smtp["username"], smtp["password"] or "")
        client.send_message(message)


def claim(session: Session, mail_id: int, now: datetime) -> bool:
    claimed = session.execute(
        update(MailMessage)
        .where(MailMessage.id == mail_id, MailMessage.status == QUEUED, MailMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def deliver_mail(session: Session, mail_id: int) -> dict:
    """Send the message if it is due; on any error (SMTP, network, a message that cannot be built) record it
    and keep it queued for the next try, until it is given up."""
    smtp = current_app.config.get("SMTP")
    now = utcnow()
    if not smtp or not claim(session, mail_id, now):
        return {"mail_id": mail_id, "outcome": "not_due"}
    mail = session.get(MailMessage, mail_id)
    assert mail is not None
    mail.attempts += 1
    try:
        _transmit(build_message(mail, current_app.config["MAIL_FROM"]), smtp)
    except Exception as error:  # noqa: BLE001 - SMTP, network or a bad message: logged, rescheduled, given up
        mail.last_error = f"{type(error).__name__}: {error}"[:500]
        if utcnow() - mail.created_at >= GIVE_UP_AFTER:
            mail.status, mail.next_attempt_at = GIVEN_UP, None
        else:
            mail.next_attempt_at = utcnow() + delay_after(mail.attempts, MAIL_SCHEDULE)
        session.commit()
        due = mail.next_attempt_at.isoformat() if mail.next_attempt_at else None
        return {"mail_id": mail_id, "outcome": "retry", "error": mail.last_error, "next_attempt_at": due}
    mail.status, mail.sent_at, mail.next_attempt_at, mail.last_error = SENT, utcnow(), None, None
    session.commit()
    return {"mail_id": mail_id, "outcome": "sent"}
