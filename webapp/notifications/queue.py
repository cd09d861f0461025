"""Sending notification work to RQ: the queue, job names and ids, timeouts.

A job id names the item and the moment it is due (its next_attempt_at), with unique=True: the job that
schedules a retry and the sweep that finds the same retry due agree on the id, so only one is queued; a
flushed Redis frees the id and the sweep enqueues it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from webapp.collection.queue import enqueue_unique
from webapp.models.types import utcnow

QUEUE_NAME = "notifications"
JOBS = {"webhook": "jobs.deliver.deliver_webhook", "mail": "jobs.deliver.send_mail"}
SWEEP_JOB = "jobs.deliver.sweep"
JOB_TIMEOUT = {"webhook": 15, "mail": 60}  # a webhook attempt: WEBHOOK_TIMEOUT (≤ 15 s) bounds the HTTP call
SWEEP_TIMEOUT = 120
RESULT_TTL = 3600
FAILURE_TTL = 7 * 86_400


def notifications_queue(connection: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection, serializer=JSONSerializer)


def job_id(kind: str, item_id: int, due: datetime | None) -> str:
    return f"{kind}_{item_id}_{int(due.timestamp()) if due else 0}"


def enqueue(queue: Queue, kind: str, item_id: int, due: datetime | None) -> bool:
    """Queue one delivery attempt (at `due`, or now); False if that attempt is already queued."""
    options = {
        "job_id": job_id(kind, item_id, due),
        "unique": True,
        "job_timeout": JOB_TIMEOUT[kind],
        "result_ttl": RESULT_TTL,
        "failure_ttl": FAILURE_TTL,
    }
    try:
        if due is not None and due - utcnow() > timedelta(seconds=1):
            queue.enqueue_at(due, JOBS[kind], item_id, **options)
        else:
            queue.enqueue(JOBS[kind], item_id, **options)
    except DuplicateJobError:
        return False
    return True


def enqueue_sweep(queue: Queue, slot: str) -> bool:
    """The sweep of one minute's slot, queued once however many schedulers ask."""
    return enqueue_unique(queue, SWEEP_JOB, f"sweep_{slot}", timeout=SWEEP_TIMEOUT)
