"""Notifications (SPEC §10): webhooks signed per Standard Webhooks and mail, delivered as RQ jobs with retries.

The public surface for the rules that decide what to say: `enqueue_event` and `send_mail`. Both only add rows
to the caller's session; once the caller commits, the rows are delivered (enqueued on RQ, or inline when no
Redis is configured), and the scheduled sweep re-enqueues whatever the database says is still due.
"""

from __future__ import annotations

from webapp.notifications.events import EVENT_TYPES, enqueue_event
from webapp.notifications.mail import send_mail

__all__ = ["EVENT_TYPES", "enqueue_event", "send_mail"]
