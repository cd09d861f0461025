"""`flask users set-timezone`: the account page's rule from the shell; one-line errors, never a traceback."""

from __future__ import annotations

import pytest

from tests.admin.helpers import events
from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process
from tests.factories import make_user
from webapp.extensions import db


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    run = flask_process(tmp_path_factory.mktemp("time-zone-cli-instance"))
    assert run("users", "create", "--email", "tz@example.com", "--role", "manager").returncode == 0
    return run


def test_set_timezone_in_a_real_process(cli):
    done = cli("users", "set-timezone", "--email", "TZ@example.com", "--tz", "Europe/Berlin")
    assert done.returncode == 0, done.stderr
    assert "tz@example.com now sees times in Europe/Berlin" in done.stdout
    assert (
        "already uses Europe/Berlin"
        in cli("users", "set-timezone", "--email", "tz@example.com", "--tz", "Europe/Berlin").stdout
    )
    assert_one_line_error(
        cli("users", "set-timezone", "--email", "tz@example.com", "--tz", "Mars/Olympus"), "Not a time zone"
    )
    assert_one_line_error(cli("users", "set-timezone", "--email", "nobody@example.com", "--tz", "UTC"), "No user")
    assert "IANA" in cli("users", "set-timezone", "--help").stdout


def test_the_change_is_audited_with_actor_cli(app):
    user = make_user(email="zone@example.com")
    result = flask_in_process(app, "users", "set-timezone", "--email", "zone@example.com", "--tz", "Asia/Tokyo")
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.time_zone == "Asia/Tokyo"
    (event,) = events("time_zone_changed")
    assert event.actor == "cli" and event.details == {"from": "UTC", "to": "Asia/Tokyo"}
