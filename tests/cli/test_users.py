"""`flask users create`: the admin page's rules (email, role, one account per email), a generated password
shown once, one-line errors, and an audit record with actor `cli`."""

from __future__ import annotations

import json

import pytest

from tests.admin.helpers import events
from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    return flask_process(tmp_path_factory.mktemp("users-cli-instance"))


def test_users_create_generates_a_password_once(cli):
    result = cli("users", "create", "--email", "Boss@Example.com", "--role", "admin", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["email"] == "boss@example.com" and len(data["password"]) >= 12
    assert_one_line_error(cli("users", "create", "--email", "boss@example.com", "--role", "admin"), "already exists")
    assert cli("users", "create", "--email", "x@example.com", "--role", "root").returncode == 2
    piped = cli(
        "users",
        "create",
        "--email",
        "m@example.com",
        "--role",
        "manager",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert piped.returncode == 0 and "password" not in piped.stdout


def test_a_created_user_is_audited_with_actor_cli_and_never_the_password(app):
    result = flask_in_process(
        app, "users", "create", "--email", "ops@example.com", "--role", "manager", "--password-stdin",
        input="a long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (event,) = events("user_created")
    assert (event.actor, event.actor_user_id, event.details) == ("cli", None, {"role": "manager"})
    assert event.target.endswith("(ops@example.com)") and "a long enough password" not in str(event.details)
