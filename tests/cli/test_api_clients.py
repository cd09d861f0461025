"""`flask api-clients create|list|revoke`: the admin page's rules (one active client of a name per
organisation, the same message), one-line errors, and an audit record with actor `cli`."""

from __future__ import annotations

import json

import pytest

from tests.admin.helpers import events
from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process
from tests.factories import make_org


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    run = flask_process(tmp_path_factory.mktemp("api-cli-instance"))
    assert run("orgs", "create", "--name", "Acme", "--provider-ref", "acme-api").returncode == 0
    return run


def test_cli_create_list_revoke(cli):
    created = cli("api-clients", "create", "--org", "1", "--name", "ERP export", "--json")
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    assert data["organization_id"] == 1 and data["client_secret"] and data["revoked_at"] is None
    text = cli("api-clients", "create", "--org", "1", "--name", "Alerts")
    assert "shown once" in text.stdout
    listed = json.loads(cli("api-clients", "list", "--org", "1", "--json").stdout)["clients"]
    assert data["client_id"] in [c["client_id"] for c in listed]
    assert all("secret" not in key for c in listed for key in c)
    revoked = cli("api-clients", "revoke", data["client_id"])
    assert revoked.returncode == 0 and "Revoked" in revoked.stdout
    assert "revoked" in cli("api-clients", "list").stdout


def test_cli_errors_are_one_line_and_non_zero(cli):
    assert_one_line_error(cli("api-clients", "create", "--org", "999", "--name", "x"), "No organisation with id 999")
    assert_one_line_error(cli("api-clients", "revoke", "adc_missing"), "No API client with id 'adc_missing'")
    assert cli("api-clients", "create", "--org", "abc", "--name", "x").returncode == 2
    for command in (["create"], ["list"], ["revoke"]):
        result = cli("api-clients", *command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_cli_refuses_a_second_active_client_of_the_same_name_like_the_admin_page(cli):
    assert cli("api-clients", "create", "--org", "1", "--name", "Twice").returncode == 0
    again = cli("api-clients", "create", "--org", "1", "--name", "Twice")
    assert_one_line_error(again, "This organisation already has an active client named 'Twice'.")
    names = [c["name"] for c in json.loads(cli("api-clients", "list", "--json").stdout)["clients"]]
    assert names.count("Twice") == 1


def test_cli_creates_and_revokes_are_audited_with_actor_cli(app):
    org = make_org()
    created = flask_in_process(app, "api-clients", "create", "--org", str(org.id), "--name", "ERP", "--json")
    assert created.exit_code == 0, created.stderr
    client_id = json.loads(created.stdout)["client_id"]
    assert flask_in_process(app, "api-clients", "revoke", client_id).exit_code == 0
    assert [(e.action, e.actor, e.target) for e in events()] == [
        ("api_client_created", "cli", f"api client {client_id}"),
        ("api_client_revoked", "cli", f"api client {client_id}"),
    ]
