"""Time zones people pick (SPEC §11): IANA names from tzdata, UTC first; unknown stored names read as UTC."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from webapp.domain.zones import DEFAULT_ZONE, OTHER, grouped_zones, is_zone, zone


def test_the_list_is_the_tz_database_grouped_by_region_with_utc_first():
    groups = dict(grouped_zones())
    assert grouped_zones()[0] == ("UTC", ("UTC",))
    assert "Europe/Berlin" in groups["Europe"] and "America/Argentina/Buenos_Aires" in groups["America"]
    assert "US/Eastern" in groups[OTHER] and "Etc/GMT+5" in groups[OTHER]
    names = [name for _, group in grouped_zones() for name in group]
    assert len(names) == len(set(names)) > 400
    assert groups["Europe"] == tuple(sorted(groups["Europe"]))


def test_the_machines_own_zone_and_placeholders_are_not_offered():
    for name in ("localtime", "Factory", "posixrules", "Mars/Olympus", "", "europe/berlin", "../etc/passwd"):
        assert not is_zone(name)
    assert is_zone("Europe/Berlin") and is_zone(DEFAULT_ZONE)


def test_a_stored_name_the_database_no_longer_knows_reads_as_utc():
    assert zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert zone("Nowhere/Gone") == ZoneInfo("UTC") == zone(None)
