"""Sending the daily digests (SPEC §10): for each recipient the digest of the local day that is due now
(webapp.alerts.digest.due_day), stored once by its idempotency key (`digest:<user>:<day>`), so a run
repeated every few minutes, retried, or started by two schedulers sends each user one digest a day.
Used by `flask digest send` and the scheduled run (RQ scheduler, in-process collector)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from webapp.alerts.digest import compose, due_day, render
from webapp.alerts.recipients import digest_recipients
from webapp.extensions import db
from webapp.models import MailMessage, User
from webapp.notifications import send_mail


@dataclass(frozen=True)
class Sent:
    """One user's digest in this run: `new` is False when that day's digest was already stored."""

    user_id: int
    email: str
    day: date
    key: str
    subject: str
    new: bool


def _already(key: str) -> bool:
    return db.session.scalar(select(MailMessage.id).where(MailMessage.idempotency_key == key)) is not None


def send_digest(user: User, now: datetime) -> Sent:
    """Store `user`'s digest due at `now` unless it is stored already; the caller commits."""
    day = due_day(user, now) or now.date()
    key = f"digest:{user.id}:{day.isoformat()}"
    if _already(key):  # composing is the expensive part: skip it for a digest already sent
        return Sent(user.id, user.email, day, key, "", new=False)
    digest = compose(user, day)
    text, html = render(digest)
    send_mail(db.session(), user.email, digest.subject, text, html, digest.key)
    return Sent(user.id, user.email, day, digest.key, digest.subject, new=True)


def send_due_digests(now: datetime) -> list[Sent]:
    """Every recipient's due digest, one commit per user (each goes out after its commit)."""
    results = []
    for user in digest_recipients():
        results.append(send_digest(user, now))
        db.session.commit()
    return results
