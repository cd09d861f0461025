"""RQ entry point for the daily rebase of the 7-day change (webapp.read_model.change_base): after 00:00 UTC every
summary's base moves to the new week-ago day, so the portfolio walks the change all day."""

from __future__ import annotations

import json
import logging

from webapp.domain.week_change import week_ago_day
from webapp.models.types import utcnow
from webapp.read_model.change_base import rebase

log = logging.getLogger("jobs.summaries")

JOB = "jobs.summaries.rebase_change"
JOB_TIMEOUT = 900


def rebase_change() -> dict:
    now, moved = utcnow(), 0

    def advance(batch: int) -> None:
        nonlocal moved
        moved += batch
        log.info(json.dumps({"event": "change_base_progress", "moved": moved}))

    rebase(now, advance=advance)
    result = {"event": "change_base_rebase", "day": week_ago_day(now).isoformat(), "moved": moved}
    log.info(json.dumps(result))
    return result
