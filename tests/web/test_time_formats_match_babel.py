"""The page's time formats are built without Babel's pattern engine (webapp/web/timezones.py); every answer
must be Babel's own, character for character, for any moment and zone (DST changes, odd offsets included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_datetime, format_timedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.web.timezones import (
    LOCALE,
    day_month_year,
    full_time,
    local_date,
    local_time,
    time_ago,
    zone_abbreviation,
)

ZONES = sorted(available_timezones() - {"Factory", "localtime"})
moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC))
zones = st.sampled_from(ZONES).map(ZoneInfo)


def babel(moment: datetime, pattern: str, tz: ZoneInfo) -> str:
    return format_datetime(moment, pattern, tzinfo=tz, locale=LOCALE)


@settings(max_examples=400, deadline=None)
@given(moment=moments, tz=zones, seconds=st.booleans())
def test_every_format_is_babels(moment, tz, seconds):
    clock = "HH:mm:ss" if seconds else "HH:mm"
    label = zone_abbreviation(moment, tz)
    assert local_date(moment, tz) == babel(moment, "yyyy-MM-dd", tz)
    assert local_time(moment, False, seconds=seconds, tz=tz) == babel(moment, f"yyyy-MM-dd {clock}", tz)
    assert local_time(moment, seconds=seconds, date=False, tz=tz) == f"{babel(moment, clock, tz)} {label}"
    assert full_time(moment, tz) == f"{babel(moment, 'yyyy-MM-dd HH:mm:ss zzzz', tz)} ({tz.key})"


def test_a_naive_moment_reads_as_utc_as_babel_reads_it():
    naive, berlin = datetime(2026, 7, 1, 12, 5), ZoneInfo("Europe/Berlin")
    assert local_time(naive, tz=berlin) == "2026-07-01 14:05 CEST"
    assert full_time(naive, berlin) == f"{babel(naive, 'yyyy-MM-dd HH:mm:ss zzzz', berlin)} (Europe/Berlin)"


@settings(max_examples=400, deadline=None)
@given(seconds=st.one_of(st.integers(-(10**10), 10**10), st.integers(-200_000, 200_000)), micro=st.integers(0, 999_999))
def test_time_ago_is_babels(seconds, micro):
    """time_ago picks Babel's unit and count itself and asks Babel for the words once per answer."""
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    moment = now + timedelta(seconds=seconds, microseconds=micro)
    assert time_ago(moment, now) == format_timedelta(moment - now, add_direction=True, locale=LOCALE)


@settings(max_examples=300, deadline=None)
@given(day=st.dates())
def test_day_month_year_is_babels(day):
    assert day_month_year(day) == format_date(day, "d MMM y", locale=LOCALE)
