"""Sending collection work to RQ: queue, deterministic job ids, timeouts and retries.

The web side enqueues by dotted name (it never imports `jobs`); jobs/ uses the
same helpers so there is one definition of a job's id, timeout and retries.
A job id is (kind, organisation, slot[, month]): enqueued with unique=True, a
second enqueue of the same work in the same slot is refused by Redis.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

QUEUE_NAME = "collection"
BALANCE_JOB = "jobs.collect.collect_balance"
COSTS_JOB = "jobs.collect.collect_costs"
DISPATCH_JOB = "jobs.collect.dispatch"
JOB_TIMEOUT = 300  # the floor of COLLECT_JOB_TIMEOUT (config): provider calls with their retries, one transaction
DISPATCH_TIMEOUT = 900  # listing and enqueuing every active organisation
RESULT_TTL = 86_400  # finished job hashes are kept a day: the unique-id window outlives the slot
FAILURE_TTL = 7 * 86_400
SLOT_FORMAT = "%Y%m%dT%H%M%SZ"


def connect(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)


def collection_queue(connection: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection, serializer=JSONSerializer)


def slot_start(at: datetime, interval_seconds: float) -> datetime:
    """The start of the schedule slot containing `at` (slots are aligned to the Unix epoch)."""
    step = max(1, int(interval_seconds))
    return datetime.fromtimestamp(int(at.timestamp()) // step * step, tz=UTC)


def next_run_due(now: datetime, interval_seconds: float) -> datetime:
    """Scheduled slots are aligned to the epoch, so the next one starts at the end of the current slot."""
    return slot_start(now, interval_seconds) + timedelta(seconds=max(1, int(interval_seconds)))


def slot_key(start: datetime) -> str:
    return start.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot(key: str) -> datetime:
    return datetime.strptime(key, SLOT_FORMAT).replace(tzinfo=UTC)


def job_id(kind: str, organization_id: int, slot: str, month: str | None = None) -> str:
    return "_".join(["collect", kind, str(organization_id), slot, *([month] if month else [])])


def retry_policy() -> Retry:
    """For jobs that fail (a provider error, a crash): back off, then leave it to the next cycle."""
    return Retry(max=3, interval=[30, 120, 600])


def enqueue_unique(queue: Queue, function: str, job: str, *args: object, timeout: int = JOB_TIMEOUT) -> bool:
    """Enqueue `function(*args)` as job `job`; False if that job already exists (a duplicate)."""
    try:
        queue.enqueue(
            function,
            *args,
            job_id=job,
            unique=True,
            job_timeout=timeout,
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            retry=retry_policy(),
        )
    except DuplicateJobError:
        return False
    return True


def enqueue_organization(
    queue: Queue, kind: str, organization_id: int, slot: str, months: list[str], *, timeout: int = JOB_TIMEOUT
) -> list[str]:
    """The jobs for one organisation in one slot; returns their ids (new or already queued)."""
    if kind == "balances":
        job = job_id(kind, organization_id, slot)
        enqueue_unique(queue, BALANCE_JOB, job, organization_id, slot, timeout=timeout)
        return [job]
    ids = []
    for month in months:
        job = job_id(kind, organization_id, slot, month)
        enqueue_unique(queue, COSTS_JOB, job, organization_id, slot, month, timeout=timeout)
        ids.append(job)
    return ids


def enqueue_dispatch(queue: Queue, kind: str, slot: str) -> bool:
    return enqueue_unique(queue, DISPATCH_JOB, f"dispatch_{kind}_{slot}", kind, slot, timeout=DISPATCH_TIMEOUT)
