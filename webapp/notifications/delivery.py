"""One webhook attempt: claim the delivery, sign per Standard Webhooks, POST once, record what happened.

Each attempt is logged (time, status, duration, error). The answer decides what follows: a 2xx delivers,
a 410 disables the endpoint, a 429 waits its Retry-After, anything else (a 3xx too: redirects are never
followed) retries on the schedule in retries.py until the delivery or its endpoint has failed for 5 days.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import exists, update
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from webapp.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webapp.models.types import utcnow
from webapp.notifications import http
from webapp.notifications.endpoint_state import endpoint_failed, endpoint_gone, endpoint_succeeded
from webapp.notifications.retries import GIVE_UP_AFTER, delay_after, retry_after_seconds
from webapp.notifications.sealing import SecretUnreadable, unseal

log = logging.getLogger("webapp.notifications")
LEASE = timedelta(seconds=60)  # a claimed attempt not recorded by then (a killed worker) is due again
USER_AGENT = "AccountDesk-Webhooks/1"


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int | None
    duration_ms: int
    error: str | None
    retry_after: str | None = None
    ours: bool = False  # the fault is ours (the secret could not be opened): not the endpoint's failure


def claim(session: Session, delivery_id: int, now: datetime) -> bool:
    """Take the attempt if it is due and its endpoint active; a duplicate job finds nothing due."""
    endpoint_active = exists().where(
        WebhookEndpoint.id == WebhookDelivery.endpoint_id, WebhookEndpoint.disabled_at.is_(None)
    )
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            endpoint_active,
        )
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def signed_headers(secret: str, event_id: str, body: str, now: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, now.astimezone(UTC), body),
    }


def send(endpoint: WebhookEndpoint, event: WebhookEvent, now: datetime) -> Answer:
    config = current_app.config
    started = time.monotonic()
    try:
        secret = unseal(endpoint.sealed_secret)
    except SecretUnreadable as error:  # a configuration fault of ours: loud, and never held against the endpoint
        log.error("webhook endpoint %s: %s", endpoint.id, error)
        return Answer(None, 0, str(error), ours=True)
    try:
        response = http.post(
            endpoint.url,
            event.body.encode(),
            signed_headers(secret, event.id, event.body, now),
            timeout=float(config["WEBHOOK_TIMEOUT"]),
            allow_private=bool(config["WEBHOOK_ALLOW_PRIVATE"]),
        )
    except Exception as error:  # noqa: BLE001 - any failed attempt is logged and retried on the schedule
        return Answer(None, _ms(started), _describe(error))
    code, problem = response.status_code, None
    if 300 <= code < 400:
        problem = f"redirect not followed (Location: {response.headers.get('location', '')[:200]})"
    elif not 200 <= code < 300:
        problem = f"HTTP {code} {response.reason or ''}".strip()
    return Answer(code, _ms(started), problem, response.headers.get("retry-after"))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(error: Exception) -> str:
    if isinstance(error, requests.Timeout):
        return f"timed out after {current_app.config['WEBHOOK_TIMEOUT']:g} s"
    if isinstance(error, requests.ConnectionError):
        return f"could not connect: {str(error)[:300]}"
    return str(error)[:400]


def deliver_webhook(session: Session, delivery_id: int) -> dict:
    """Make the attempt that is due (if any) and record it; returns what happened and when the next is due."""
    now = utcnow()
    if not claim(session, delivery_id, now):
        return {"delivery_id": delivery_id, "outcome": "not_due"}
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None  # claimed rows exist
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    event = session.get(WebhookEvent, delivery.event_id)
    assert endpoint is not None and event is not None
    answer = send(endpoint, event, now)
    session.add(WebhookAttempt(delivery_id=delivery.id, attempted_at=now, **_columns(answer)))
    delivery.attempts += 1
    outcome = _settle(session, delivery, endpoint, answer, utcnow())
    session.commit()
    return {
        "delivery_id": delivery_id,
        "outcome": outcome,
        "status_code": answer.status_code,
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
    }


def _columns(answer: Answer) -> dict:
    return {"status_code": answer.status_code, "duration_ms": answer.duration_ms, "error": answer.error}


def _settle(
    session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint, answer: Answer, now: datetime
) -> str:
    if answer.error is None:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "delivered", now, None
        endpoint_succeeded(endpoint)
        return "delivered"
    if answer.status_code == 410:
        endpoint_gone(session, endpoint, now)
        return "endpoint_disabled"
    if answer.ours:  # retried on the schedule until the key is back; the endpoint's record stays clean
        delivery.next_attempt_at = now + delay_after(delivery.attempts)
        return "retry"  # the attempt's error says why (jobs/deliver.py reschedules a "retry")
    delivery.first_failure_at = delivery.first_failure_at or now
    if endpoint_failed(session, endpoint, now):
        return "endpoint_disabled"
    if now - delivery.first_failure_at >= GIVE_UP_AFTER:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "failed", now, None
        return "given_up"
    wait = retry_after_seconds(answer.retry_after, now) if answer.status_code == 429 else None
    delivery.next_attempt_at = now + (timedelta(seconds=wait) if wait is not None else delay_after(delivery.attempts))
    return "retry"
