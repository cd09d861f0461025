"""When the next attempt is due: the Standard Webhooks schedule with jitter, Retry-After, mail backoff."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

# After the first attempt fails: 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h (Standard Webhooks' example).
WEBHOOK_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000)
MAIL_SCHEDULE = (30, 120, 600, 1800, 3600)
GIVE_UP_AFTER = timedelta(days=5)  # a delivery (and an endpoint) failing this long is given up
MAX_RETRY_AFTER = 86_400  # a receiver's Retry-After is honoured up to a day
JITTER = 0.1


def delay_after(failures: int, schedule: tuple[int, ...] = WEBHOOK_SCHEDULE) -> timedelta:
    """The wait after the `failures`-th failed attempt, ±10 % jitter so retries of many events spread out."""
    base = schedule[min(max(failures, 1), len(schedule)) - 1]
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def retry_after_seconds(header: str | None, now: datetime) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now, capped; None when absent or junk."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(min(int(header), MAX_RETRY_AFTER))
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return min(max(0.0, (moment - now).total_seconds()), float(MAX_RETRY_AFTER))
