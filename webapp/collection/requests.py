""" "Collect now" from the admin pages: request it (recorded in the audit log) and follow its progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from webapp.collection.collect_now import collect_now
from webapp.collection.queue import connect
from webapp.extensions import db
from webapp.models import AuditEvent, CollectionRun, Organization
from webapp.services import audit
from webapp.services.errors import ValidationError

FAILED_STATES = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


@dataclass(frozen=True, slots=True)
class Progress:
    mode: str
    total: int
    finished: int
    failed: int
    runs: list[CollectionRun] = field(default_factory=list)
    unavailable: bool = False  # the queue cannot be asked: stop polling, say so

    @property
    def done(self) -> bool:
        return self.unavailable or self.finished + self.failed >= self.total

    @property
    def pending(self) -> int:
        return self.total - self.finished - self.failed


def request_collection(organization_id: int | None) -> AuditEvent:
    """Collect one active organisation (or every active one) now; the audit event is the handle to poll.
    LookupError for an unknown organisation, ValidationError for an inactive one."""
    target = "all active organizations"
    if organization_id is not None:
        organization = db.session.get(Organization, organization_id)
        if organization is None:
            raise LookupError(f"No organisation with id {organization_id}.")
        if not organization.active:
            raise ValidationError("organization_id", f"“{organization.name}” is inactive: it is not collected.")
        target = f"organization {organization.id} ({organization.name})"
    result = collect_now(organization_id)
    event = audit.record(
        "collect_now",
        target,
        {"organization_id": organization_id, "mode": result.mode, "job_ids": result.job_ids, "run_ids": result.run_ids},
    )
    db.session.commit()
    return event


def progress(event: AuditEvent) -> Progress:
    details = event.details or {}
    if details.get("mode") == "inline":
        found = (db.session.get(CollectionRun, run_id) for run_id in details.get("run_ids", []))
        runs = [run for run in found if run is not None]
        ended = sum(run.finished_at is not None for run in runs)
        return Progress("inline", total=len(runs), finished=ended, failed=0, runs=runs)
    job_ids = details.get("job_ids", [])
    try:
        jobs = Job.fetch_many(job_ids, connection=connect(current_app.config["REDIS_URL"]), serializer=JSONSerializer)
    except (RedisError, ValueError, TypeError):  # Redis down, or no longer configured
        return Progress("queued", total=len(job_ids), finished=0, failed=0, unavailable=True)
    statuses = [job.get_status(refresh=False) if job is not None else None for job in jobs]
    finished = sum(status == JobStatus.FINISHED for status in statuses)
    # A job that vanished (expired or deleted) will not finish any more: count it as failed.
    failed = sum(status in FAILED_STATES or status is None for status in statuses)
    return Progress("queued", total=len(job_ids), finished=finished, failed=failed)
