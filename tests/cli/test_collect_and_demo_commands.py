"""The CLI as SPEC §6 names it, run as a real process: clear one-line errors, non-zero exits, nothing written."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import assert_one_line_error, flask_process


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Run `flask …` against a fresh, migrated SQLite database."""
    return flask_process(tmp_path_factory.mktemp("cli-instance"))


def test_collect_inline_and_bad_input(cli):
    assert cli("orgs", "create", "--name", "Demo", "--provider-ref", "demo-0001").returncode == 0
    balances = cli("collect", "balances", "--json")
    assert balances.returncode == 0, balances.stderr
    assert json.loads(balances.stdout)["written"] >= 1
    costs = cli("collect", "costs", "--month", "2026-01", "--json")
    assert costs.returncode == 0, costs.stderr
    history = cli("collect", "costs", "--history", "--json")  # collected before: the history on request
    assert history.returncode == 0, history.stderr
    assert json.loads(history.stdout)["written"] == 24  # the 24 months before the ledger's first
    assert_one_line_error(cli("collect", "costs", "--history", "--month", "2026-01"), "cannot be combined")
    assert_one_line_error(cli("collect", "balances", "--org", "999"), "No organisation with id 999")
    assert_one_line_error(cli("collect", "costs", "--month", "2026-13"), "YYYY-MM")
    assert_one_line_error(cli("collect", "costs", "--month", "26-1"), "YYYY-MM")


def test_malformed_database_url_is_one_clear_line(cli):
    result = cli("collect", "balances", extra_env={"DATABASE_URL": "not a url"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "Configuration error: DATABASE_URL is not a database URL: 'not a url'"


def test_unreachable_database_is_one_clear_line(cli):
    result = cli("collect", "balances", extra_env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    assert_one_line_error(result, "database error")


def test_production_refuses_to_start_without_secret(cli):
    result = cli(
        "collect", "balances", extra_env={"ACCOUNTDESK_ENV": "production", "DATABASE_URL": "postgresql://x@127.0.0.1/x"}
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_every_command_has_help(cli):
    for command in (
        ["demo-data"],
        ["orgs", "create"],
        ["users", "create"],
        ["collect", "balances"],
        ["collect", "costs"],
    ):
        result = cli(*command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout, command


def test_demo_data_prints_logins(cli):
    result = cli("demo-data", "--orgs", "2", "--days", "2")
    assert result.returncode == 0, result.stderr
    assert "Sign in as admin@example.com" in result.stdout
    again = cli("demo-logins")
    assert "admin@example.com" in again.stdout
