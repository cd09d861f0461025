"""The scheduled alert run (SPEC §10), every ALERTS_INTERVAL_SECONDS: the time-driven rules (stale data)
evaluated for every active organisation, then the daily digests that are due. Idempotent: an evaluation
records only transitions (the unique constraint refuses a duplicate) and a digest is stored once per
user and local day, so two schedulers, a retried job or a restart change nothing.
Run by the RQ scheduler (jobs.alerts.run_alerts) or, without Redis, by the in-process collector."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from webapp.alerts.digest_run import send_due_digests
from webapp.alerts.evaluate import Change, evaluate_now
from webapp.extensions import db
from webapp.models import Organization

ALERTS_INTERVAL_SECONDS = 900.0


def active_organization_ids() -> list[int]:
    """The organisations alerts are evaluated for: the active ones (inactive ones are not collected)."""
    ids = list(db.session.scalars(select(Organization.id).where(Organization.active).order_by(Organization.id)))
    db.session.commit()
    return ids


def evaluate_each(ids: list[int], now: datetime) -> list[Change]:
    """Evaluate the given organisations, one transaction (and lock) each; every transition made."""
    changes: list[Change] = []
    for organization_id in ids:
        changes += evaluate_now(organization_id, now)
        db.session.commit()
    return changes


def evaluate_all(now: datetime) -> int:
    """Evaluate every active organisation; the transitions recorded."""
    return sum(change.event_id is not None for change in evaluate_each(active_organization_ids(), now))


def scheduled_run(now: datetime) -> dict[str, int]:
    transitions = evaluate_all(now)
    digests = send_due_digests(now)
    return {
        "transitions": transitions,
        "digests_queued": sum(sent.new for sent in digests),
        "digests_already_sent": sum(not sent.new for sent in digests),
    }
