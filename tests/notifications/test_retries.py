"""The retry schedule (Standard Webhooks' example, ±10 % jitter) and Retry-After as seconds or an HTTP date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.notifications.retries import MAIL_SCHEDULE, delay_after, retry_after_seconds

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "seconds"), [(1, 5), (2, 300), (3, 1800), (4, 7200), (5, 18000), (6, 36000), (7, 36000), (30, 36000)]
)
def test_the_schedule_with_jitter(failures, seconds):
    delays = {delay_after(failures) for _ in range(50)}
    assert all(timedelta(seconds=seconds * 0.9) <= d <= timedelta(seconds=seconds * 1.1) for d in delays)
    assert len(delays) > 1  # jittered, so many failed events do not retry in lockstep


def test_mail_backs_off_on_its_own_schedule():
    assert timedelta(seconds=27) <= delay_after(1, MAIL_SCHEDULE) <= timedelta(seconds=33)
    assert timedelta(seconds=3240) <= delay_after(9, MAIL_SCHEDULE) <= timedelta(seconds=3960)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("Sun, 29 Nov 2026 12:02:00 GMT", 120.0),
        ("Sun, 29 Nov 2026 11:00:00 GMT", 0.0),
        ("999999999", 86400.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds
