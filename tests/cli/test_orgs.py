"""`flask orgs create`: the admin page's rules (a unique provider reference, a threshold that is a plain
ASCII decimal, taken as given: no trimming), one-line errors, and an audit record with actor `cli`."""

from __future__ import annotations

import json

import pytest

from tests.admin.helpers import events
from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    return flask_process(tmp_path_factory.mktemp("orgs-cli-instance"))


def test_orgs_create_and_duplicate_reference(cli):
    created = cli(
        "orgs", "create", "--name", "Acme", "--provider-ref", "acme-1", "--low-balance-threshold", "250.00", "--json"
    )
    assert created.returncode == 0, created.stderr
    org = json.loads(created.stdout)
    assert org["provider_ref"] == "acme-1"
    dup = cli("orgs", "create", "--name", "Other", "--provider-ref", "acme-1")
    assert_one_line_error(dup, "already belongs to organisation")
    bad = cli("orgs", "create", "--name", "X", "--provider-ref", "ok-2", "--low-balance-threshold", "lots")
    assert_one_line_error(bad, "Low-balance threshold")


@pytest.mark.parametrize("threshold", ["1E+30", "1e3", "1_000", "١٢", " 12", "12 ", "12.", "+5"])
def test_the_threshold_must_be_a_plain_ascii_decimal(app, threshold):
    result = flask_in_process(
        app, "orgs", "create", "--name", "X", "--provider-ref", "x-1", "--low-balance-threshold", threshold
    )
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "Low-balance threshold: amount must be a plain decimal like 12.50" in result.stderr
    assert events() == []


def test_a_created_organisation_is_audited_with_actor_cli(app):
    result = flask_in_process(
        app,
        "orgs",
        "create",
        "--name",
        "Acme",
        "--provider-ref",
        "acme-9",
        "--low-balance-threshold",
        "250.5",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    org_id = json.loads(result.stdout)["id"]
    (event,) = events("organization_created")
    assert (event.actor, event.actor_user_id, event.target) == ("cli", None, f"organization {org_id} (Acme)")
    assert event.details["low_balance_threshold"] == "250.5"
