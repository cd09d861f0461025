"""RQ entry points for notifications: one webhook attempt, one mail, the sweep. Ids in, the services decide.

A failed attempt is recorded and its next attempt queued for when it is due; the job itself succeeds (the
retry is the notification's own schedule, not RQ's). The sweep re-enqueues whatever the database says is due.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from flask import current_app

from webapp.extensions import db
from webapp.notifications.delivery import deliver_webhook as attempt_webhook
from webapp.notifications.dispatch import reschedule
from webapp.notifications.dispatch import sweep as sweep_due
from webapp.notifications.smtp import deliver_mail

log = logging.getLogger("jobs.deliver")


def _follow_up(kind: str, item_id: int, result: dict) -> dict:
    due = result.get("next_attempt_at")
    if due and result.get("outcome") == "retry":
        reschedule(current_app.config["REDIS_URL"], kind, item_id, datetime.fromisoformat(due))
    log.info(json.dumps({"event": f"{kind}_attempt", **result}))
    return result


def deliver_webhook(delivery_id: int) -> dict:
    return _follow_up("webhook", delivery_id, attempt_webhook(db.session(), delivery_id))


def send_mail(mail_id: int) -> dict:
    return _follow_up("mail", mail_id, deliver_mail(db.session(), mail_id))


def sweep() -> dict:
    result = sweep_due(db.session(), current_app.config["REDIS_URL"])
    log.info(json.dumps({"event": "notifications_sweep", **result}))
    return result
