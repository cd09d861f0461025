""" "Collect now" for one organisation or all: queued when Redis is configured, inline otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from webapp.collection.queue import collection_queue, connect, enqueue_organization, slot_key, slot_start
from webapp.collection.rules import active_organization_ids, cost_months, months_before_ledger, run_collection
from webapp.collection.state import never_succeeded
from webapp.domain.months import Month
from webapp.models.collection import KINDS, CollectionKind
from webapp.models.types import utcnow
from webapp.providers import get_provider

MANUAL_SLOT_SECONDS = 60  # pressing "collect now" twice within a minute queues the work once


class QueueUnavailable(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class CollectNowResult:
    """What to poll: RQ job ids when queued, collection run ids when run inline."""

    mode: str  # "queued" | "inline"
    job_ids: list[str] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)


def collect_now(
    organization_id: int | None = None,
    *,
    kinds: tuple[CollectionKind, ...] = KINDS,
    months: list[tuple[int, int]] | None = None,
    queued: bool | None = None,
    history: bool = False,
) -> CollectNowResult:
    """Collect `kinds` for one organisation (or all active ones); queued unless Redis is not configured."""
    ids = [organization_id] if organization_id is not None else None
    if queued is None:
        queued = bool(current_app.config["REDIS_URL"])
    if queued:
        return _enqueue(ids, kinds, months, history)
    provider = get_provider()
    runs = [
        run_collection(kind, provider, organization_ids=ids, months=months, trigger="manual", history=history)
        for kind in kinds
    ]
    return CollectNowResult("inline", run_ids=[run.id for run in runs])


def _enqueue(
    ids: list[int] | None, kinds: tuple[CollectionKind, ...], months: list[tuple[int, int]] | None, history: bool
) -> CollectNowResult:
    url = current_app.config["REDIS_URL"]
    if not url:
        raise QueueUnavailable("REDIS_URL is not configured: nothing to enqueue to")
    now = utcnow()
    start = slot_start(now, MANUAL_SLOT_SECONDS)
    ids = ids if ids is not None else active_organization_ids()
    first = never_succeeded(CollectionKind.COSTS, ids) if months is None else set()  # (their history too)
    queue = collection_queue(connect(url))
    job_ids = []
    for organization_id in ids:
        asked = months_before_ledger(organization_id, now) if history else None
        wanted = [str(Month(*month)) for month in asked or months or cost_months(now, first=organization_id in first)]
        for kind in kinds:
            job_ids += enqueue_organization(
                queue, kind, organization_id, slot_key(start), wanted, timeout=current_app.config["COLLECT_JOB_TIMEOUT"]
            )
    return CollectNowResult("queued", job_ids=job_ids)
