"""RQ entry point for the scheduled alert run: stale data evaluated, due digests sent (webapp.alerts.scheduled)."""

from __future__ import annotations

import json
import logging

from webapp.alerts.scheduled import scheduled_run
from webapp.models.types import utcnow

log = logging.getLogger("jobs.alerts")

JOB = "jobs.alerts.run_alerts"
JOB_TIMEOUT = 600


def run_alerts() -> dict:
    result = scheduled_run(utcnow())
    log.info(json.dumps({"event": "alerts_run", **result}))
    return result
