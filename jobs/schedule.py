"""The schedule, as data: what runs, how often, over which months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.collection.queue import slot_key, slot_start
from webapp.collection.rules import default_cost_months


@dataclass(frozen=True, slots=True)
class Scheduled:
    kind: str  # "balances" | "costs": one dispatch per slot fans out into per-organisation jobs
    interval_setting: str = "COLLECT_INTERVAL_SECONDS"


SCHEDULE: tuple[Scheduled, ...] = (Scheduled("balances"), Scheduled("costs"))
# The notifications sweep: re-enqueues every webhook attempt and mail the database says is due.
SWEEP_INTERVAL_SECONDS = 60.0
# The alert run (stale data evaluated, due digests sent): every webapp.alerts.scheduled.ALERTS_INTERVAL_SECONDS.


def current_slot(at: datetime, interval_seconds: float) -> str:
    """The slot key for `at`: every scheduler computes the same one, so job ids agree."""
    return slot_key(slot_start(at, interval_seconds))


def months_for(at: datetime) -> list[str]:
    """Cost months for a slot: the current month, and the previous one during its first 5 days."""
    return [str(month) for month in default_cost_months(at)]
