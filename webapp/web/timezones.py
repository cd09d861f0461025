"""Timestamps as the signed-in person reads them: in their time zone, labelled, formatted by Babel (SPEC §11).

`current_zone()` is the one place that knows whose zone a request shows; dashboard pages and exports that
label local times call it. The API and its CSV stay UTC and never use this module.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from flask import has_request_context
from flask_login import current_user

from webapp.domain.zones import zone

LOCALE = "en"


def current_zone() -> ZoneInfo:
    """The signed-in user's zone; UTC for anyone else and outside a request (CLI, jobs)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return zone(getattr(current_user, "time_zone", None))
    return zone(None)


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
    tz = tz or current_zone()
    pattern = ("yyyy-MM-dd " if date else "") + ("HH:mm:ss" if seconds else "HH:mm")
    text = format_datetime(moment, pattern, tzinfo=tz, locale=LOCALE)
    return f"{text} {zone_abbreviation(moment, tz)}" if label else text


def local_date(moment: datetime, tz: ZoneInfo | None = None) -> str:
    return format_datetime(moment, "yyyy-MM-dd", tzinfo=tz or current_zone(), locale=LOCALE)


def full_time(moment: datetime | None, tz: ZoneInfo | None = None) -> str:
    """For a `title`: the zone spelled out and its IANA name, e.g. '… Central European Summer Time (Europe/Berlin)'."""
    if moment is None:
        return ""
    tz = tz or current_zone()
    return f"{format_datetime(moment, 'yyyy-MM-dd HH:mm:ss zzzz', tzinfo=tz, locale=LOCALE)} ({tz.key})"


def time_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'2 hours ago' (or 'in 5 minutes'), rounded as Babel rounds; the absolute time belongs in a `title`."""
    if moment is None:
        return "never"
    delta = moment - (now or datetime.now(UTC))
    return format_timedelta(delta, add_direction=True, locale=LOCALE)
