"""Timestamps as the signed-in person reads them: in their time zone, labelled, formatted as Babel formats
them (SPEC §11): the digits directly, the zone's long name from Babel once per zone, offset and year (a page
formats hundreds of times; tests/web/test_time_formats_match_babel.py holds every answer to Babel's). Also the
relative time ("3 hours ago") and the calendar day ("15 Dec 2026"), built the same way.

`current_zone()` is the one place that knows whose zone a request shows; dashboard pages and exports that
label local times call it. The API and its CSV stay UTC and never use this module.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import TIMEDELTA_UNITS, format_timedelta, get_timezone_name
from flask import g, has_request_context
from flask_login import current_user

from webapp.domain.zones import zone

LOCALE = "en"


def current_zone() -> ZoneInfo:
    """The signed-in user's zone; UTC for anyone else and outside a request (CLI, jobs).
    Looked up once per request (a page formats hundreds of times)."""
    if not has_request_context():
        return zone(None)
    known = g.get("_time_zone")
    if known is None:
        signed_in = current_user and current_user.is_authenticated
        known = g._time_zone = zone(getattr(current_user, "time_zone", None) if signed_in else None)
    return known


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """The moment on the wall clock of `tz` (a naive moment is UTC, as Babel reads it)."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(tz)


def _day(local: datetime) -> str:
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"


def _clock(local: datetime, seconds: bool) -> str:
    minutes = f"{local.hour:02d}:{local.minute:02d}"
    return f"{minutes}:{local.second:02d}" if seconds else minutes


# Filled as zones are met (a few per deployment); two threads computing the same name both store Babel's answer.
_LONG_NAMES: dict[tuple[str, timedelta | None, timedelta | None, int], str] = {}


def _long_zone_name(local: datetime, tz: ZoneInfo) -> str:
    """Babel's "zzzz" (e.g. Central European Standard Time), looked up once per zone, offset, DST and year."""
    key = (tz.key, local.utcoffset(), local.dst(), local.year)
    name = _LONG_NAMES.get(key)
    if name is None:
        name = _LONG_NAMES[key] = get_timezone_name(local, width="long", locale=LOCALE)
    return name


def zone_name(tz: ZoneInfo | None = None) -> str:
    """The IANA name, e.g. Europe/Berlin: how pages and column headers say which zone times are in."""
    return (tz or current_zone()).key


def zone_abbreviation(moment: datetime, tz: tzinfo) -> str:
    """The tz database's abbreviation at that moment (CET, CEST, EST); a numeric one (-05) reads UTC-05."""
    name = moment.astimezone(tz).tzname() or "UTC"
    return f"UTC{name}" if name[0] in "+-" else name


def local_time(
    moment: datetime | None, label: bool = True, *, seconds: bool = False, date: bool = True, tz: ZoneInfo | None = None
) -> str:
    """'2026-11-29 14:05 CET' in the viewer's zone; without `label` where a column header names the zone."""
    if moment is None:
        return "never"
    local = _local(moment, tz or current_zone())
    text = f"{_day(local)} {_clock(local, seconds)}" if date else _clock(local, seconds)
    return f"{text} {zone_abbreviation(local, local.tzinfo or UTC)}" if label else text


def local_date(moment: datetime, tz: ZoneInfo | None = None) -> str:
    return _day(_local(moment, tz or current_zone()))


def full_time(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """For a `title`: the zone spelled out and its IANA name, e.g. '… Central European Summer Time (Europe/Berlin)'."""
    if moment is None:
        return ""
    tz = tz or current_zone()
    local = _local(moment, tz)
    return f"{_day(local)} {_clock(local, True)} {_long_zone_name(local, tz)} ({tz.key})"


def day_month_year(day: date) -> str:
    """A calendar day as people read it ("15 Dec 2026"): Babel's "d MMM y", its month names, built directly."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


_MONTHS = Locale.parse(LOCALE).months["format"]["abbreviated"]


def time_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'2 hours ago' (or 'in 5 minutes'), rounded as Babel rounds; the absolute time belongs in a `title`."""
    if moment is None:
        return "never"
    delta = moment - (now or datetime.now(UTC))
    seconds = delta.days * 86400 + delta.seconds  # whole seconds, as Babel counts them
    return _relative(*_unit_and_count(seconds), seconds >= 0)


def _unit_and_count(seconds: int) -> tuple[str, int]:
    """Babel's choice (format_timedelta's defaults): the largest unit that reaches 0.85 of one, rounded."""
    for unit, per_unit in TIMEDELTA_UNITS:
        value = abs(seconds) / per_unit
        if value >= 0.85 or unit == "second":
            return unit, round(max(1, value) if unit == "second" and value > 0 else value)
    raise AssertionError("TIMEDELTA_UNITS ends with the second")


@lru_cache(maxsize=4096)
def _relative(unit: str, count: int, future: bool) -> str:
    """Babel's words for `count` units ("3 hours ago", "in 1 day"): its plural rules, once per answer."""
    seconds = count * dict(TIMEDELTA_UNITS)[unit]
    signed = seconds if future else -seconds
    return format_timedelta(signed, unit, math.inf, add_direction=True, locale=LOCALE)  # type: ignore[arg-type]
