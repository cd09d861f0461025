"""API clients: the service (secret once, hashed) and `flask api-clients create|list|revoke`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_org
from webapp.queries.api_clients import list_clients
from webapp.services.api_clients import authenticate_client, create_client, revoke_client
from webapp.services.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def test_secret_is_returned_once_and_stored_only_as_a_hash(app):
    org = make_org()
    new = create_client(organization_id=org.id, name="ERP")
    assert new.client.client_id.startswith("adc_") and len(new.secret) >= 40
    assert new.secret not in new.client.secret_hash and new.client.secret_hash.startswith("sha256$")
    assert authenticate_client(new.client.client_id, new.secret) is new.client
    assert authenticate_client(new.client.client_id, new.secret + "x") is None
    assert authenticate_client("adc_unknown", new.secret) is None


def test_list_and_revoke(app):
    org, other = make_org(), make_org()
    first = create_client(organization_id=org.id, name="one")
    create_client(organization_id=other.id, name="two")
    assert [c.name for c in list_clients(org.id)] == ["one"]
    assert len(list_clients()) >= 2
    revoked = revoke_client(first.client.client_id)
    assert revoked.revoked_at is not None
    assert revoke_client(first.client.client_id).revoked_at == revoked.revoked_at  # idempotent
    assert authenticate_client(first.client.client_id, first.secret) is None


def test_bad_input_is_a_validation_error(app):
    with pytest.raises(ValidationError, match="No organisation with id 999999"):
        create_client(organization_id=999999, name="x")
    with pytest.raises(ValidationError, match="name"):
        create_client(organization_id=make_org().id, name="  ")
    with pytest.raises(ValidationError, match="No API client"):
        revoke_client("adc_nope")


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    instance = tmp_path_factory.mktemp("api-cli-instance")
    env = {**os.environ, "INSTANCE_PATH": str(instance), "FLASK_APP": "wsgi", "ACCOUNTDESK_ENV": "development"}
    env.pop("DATABASE_URL", None)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    assert run("orgs", "create", "--name", "Acme", "--provider-ref", "acme-api").returncode == 0
    return run


def assert_one_line_error(result, fragment: str) -> None:
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error")]) == 1


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
