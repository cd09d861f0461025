"""Time zones people pick: IANA names from the tz database (the tzdata package ships it), checked and grouped.

Only display follows a person's zone; months and days that money is bucketed into stay UTC (SPEC §11).
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "UTC"
MAX_NAME = 64
# The tz database's continents and oceans; other names (Etc/GMT+5, legacy aliases like US/Eastern) go last.
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
OTHER = "Other"
_NOT_PLACES = {"localtime", "Factory", "posixrules"}  # the machine's own zone and placeholders, not places


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_PLACES)


def is_zone(name: str) -> bool:
    return name in zone_names()


def zone(name: str | None) -> ZoneInfo:
    """The stored name's zone; UTC for a name the installed tz database no longer knows (never an error page)."""
    if name and is_zone(name):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_ZONE)


@cache
def grouped_zones() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """UTC first, then each region's zones sorted by name, then the rest under "Other"."""
    groups: dict[str, list[str]] = {region: [] for region in (*REGIONS, OTHER)}
    for name in sorted(zone_names() - {DEFAULT_ZONE}):
        region = name.split("/", 1)[0]
        groups[region if region in REGIONS and "/" in name else OTHER].append(name)
    return ((DEFAULT_ZONE, (DEFAULT_ZONE,)), *((region, tuple(names)) for region, names in groups.items() if names))
