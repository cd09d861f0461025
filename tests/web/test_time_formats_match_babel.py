"""The page's time formats are built without Babel's pattern engine (webapp/web/timezones.py); every answer
must be Babel's own, character for character, for any moment and zone (DST changes, odd offsets included)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.web.timezones import LOCALE, full_time, local_date, local_time, zone_abbreviation

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
