"""A user's time zone, the service (SPEC §11): IANA names only, audited with actor `cli` outside a request."""

from __future__ import annotations

import pytest

from tests.admin.helpers import events
from tests.factories import make_user
from webapp.services.errors import ValidationError
from webapp.services.users import set_time_zone


def test_a_new_user_reads_utc_and_a_change_is_audited_once(app):
    user = make_user()
    assert user.time_zone == "UTC"
    assert set_time_zone(user, " Europe/Berlin ") and not set_time_zone(user, "Europe/Berlin")
    assert user.time_zone == "Europe/Berlin"
    assert [(e.action, e.actor, e.details) for e in events()] == [
        ("time_zone_changed", "cli", {"from": "UTC", "to": "Europe/Berlin"})
    ]


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus", "localtime", "UTC" * 30])
def test_unknown_names_are_refused_with_a_message(app, name):
    user = make_user()
    with pytest.raises(ValidationError) as refused:
        set_time_zone(user, name)
    assert refused.value.field == "time_zone" and user.time_zone == "UTC" and events() == []
