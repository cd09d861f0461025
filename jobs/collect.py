"""RQ job entry points: ids and strings in, one recorded run per organisation job.

They run inside the application context the worker start-up provides
(jobs/worker.py). A job whose organisation failed raises CollectionFailed after
recording the failure, so the queue shows a failure and RQ retries with backoff.
"""

from __future__ import annotations

import json
import logging
import time

from flask import current_app
from rq import get_current_job

from jobs.schedule import months_for
from webapp.collection.queue import collection_queue, connect, enqueue_organization, parse_slot
from webapp.collection.rules import OrganizationNotFound, collect_organization, history_months
from webapp.collection.state import due_since, never_succeeded
from webapp.extensions import db
from webapp.models.collection import CollectionKind
from webapp.providers import get_provider

log = logging.getLogger("jobs.collect")


class CollectionFailed(RuntimeError):
    """The organisation's collection failed; the reason is recorded in its run."""


def collect_balance(organization_id: int, slot: str) -> dict:
    return _collect_one(CollectionKind.BALANCES, organization_id, slot, None)


def collect_costs(organization_id: int, slot: str, month: str) -> dict:
    return _collect_one(CollectionKind.COSTS, organization_id, slot, month)


def _collect_one(kind: CollectionKind, organization_id: int, slot: str, month: str | None) -> dict:
    started = time.monotonic()
    try:
        run = collect_organization(
            kind,
            organization_id,
            get_provider(),
            month=(int(month[:4]), int(month[5:7])) if month else None,
            slot_start=parse_slot(slot),
        )
    except OrganizationNotFound:
        log.warning(json.dumps({"event": "collection_job", "kind": kind, "org_id": organization_id, "outcome": "gone"}))
        return {"org_id": organization_id, "outcome": "gone"}  # deleted since dispatch: nothing to retry
    outcome = next((k for k in ("failed", "written", "unchanged", "no_costs") if getattr(run, k)), "none")
    summary = {
        "event": "collection_job",
        "kind": kind,
        "run_id": run.id,
        "org_id": organization_id,
        "slot": slot,
        "month": month,
        "outcome": outcome,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }
    log.info(json.dumps(summary))
    if run.failed:
        raise CollectionFailed(f"{kind} for organisation {organization_id} failed; see run {run.id}")
    return summary


def due_organization_ids(kind: str, slot: str) -> list[int]:
    """Active organisations not yet collected successfully in this slot: the database decides."""
    ids = due_since(kind, parse_slot(slot))
    db.session.commit()
    return ids


def dispatch(kind: str, slot: str) -> dict:
    """Fan one slot of `kind` out into per-organisation jobs (duplicates are refused by id)."""
    job = get_current_job()
    connection = job.connection if job else connect(current_app.config["REDIS_URL"])
    queue = collection_queue(connection)
    months = months_for(parse_slot(slot)) if kind == "costs" else []
    ids = due_organization_ids(kind, slot)
    first = never_succeeded(kind, ids) if kind == "costs" else set()  # their first collection: the history too
    history = [str(month) for month in history_months(parse_slot(slot))] if first else []
    db.session.commit()
    timeout = int(current_app.config["COLLECT_JOB_TIMEOUT"])
    for organization_id in ids:
        wanted = [*months, *history] if organization_id in first else months
        enqueue_organization(queue, kind, organization_id, slot, wanted, timeout=timeout)
    summary = {"event": "collection_dispatch", "kind": kind, "slot": slot, "organizations": len(ids)}
    log.info(json.dumps(summary))
    return summary
