"""Timestamps in the viewer's zone (SPEC §11): Babel-formatted, labelled, right on both sides of a DST change;
relative times round as Babel rounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.web.timezones import current_zone, full_time, local_time, time_ago, zone_abbreviation

BERLIN = ZoneInfo("Europe/Berlin")
SUMMER = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
WINTER = datetime(2026, 1, 15, 12, 5, tzinfo=UTC)


def test_berlin_is_two_hours_ahead_in_summer_and_one_in_winter():
    assert local_time(SUMMER, tz=BERLIN) == "2026-07-01 14:05 CEST"
    assert local_time(WINTER, tz=BERLIN) == "2026-01-15 13:05 CET"
    # the night the clocks go back: 00:30 and 01:30 UTC are both 02:30 local, told apart by the label
    assert local_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), tz=BERLIN) == "2026-10-25 02:30 CEST"
    assert local_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), tz=BERLIN) == "2026-10-25 02:30 CET"


def test_labels_options_and_other_zones():
    assert local_time(WINTER, tz=ZoneInfo("UTC")) == "2026-01-15 12:05 UTC"
    assert local_time(WINTER, tz=ZoneInfo("America/New_York")) == "2026-01-15 07:05 EST"
    assert local_time(WINTER, False, seconds=True, tz=BERLIN) == "2026-01-15 13:05:00"
    assert local_time(WINTER, date=False, tz=BERLIN) == "13:05 CET"
    assert local_time(None) == "never"
    # zones whose tz abbreviation is only a number read as an offset from UTC
    assert zone_abbreviation(WINTER, ZoneInfo("America/Sao_Paulo")) == "UTC-03"
    assert full_time(SUMMER, tz=BERLIN) == "2026-07-01 14:05:00 Central European Summer Time (Europe/Berlin)"


def test_relative_times():
    now = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
    assert time_ago(now - timedelta(hours=2), now) == "2 hours ago"
    assert time_ago(now - timedelta(seconds=40), now) == "40 seconds ago"
    assert time_ago(now - timedelta(days=3, hours=1), now) == "3 days ago"
    assert time_ago(now + timedelta(minutes=5), now) == "in 5 minutes"
    assert time_ago(None) == "never"


def test_outside_a_request_the_zone_is_utc():
    assert current_zone() == ZoneInfo("UTC")
