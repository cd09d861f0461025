"""`flask alerts evaluate|list` (SPEC §6, §10): transitions printed once, open alerts and events listed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process
from tests.factories import make_org
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.extensions import db
from webapp.providers import BalanceReading


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    return flask_process(tmp_path_factory.mktemp("alerts-cli-instance"))


def overdrawn_org():
    org = make_org(name="Ösel & <Co>")
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    write_checks(org.id, balances=[BalanceCheck(at, BalanceReading(Decimal("-12.50"), "EUR"))])
    db.session.flush()
    return org


def test_list_shows_the_open_alert_and_its_event(app):
    org = overdrawn_org()
    opened = json.loads(flask_in_process(app, "alerts", "list", "--open", "--json").output)["open"]
    assert [(a["organization_id"], a["rule"], a["level"]) for a in opened] == [(org.id, "overdrawn", "critical")]
    events = json.loads(flask_in_process(app, "alerts", "list", "--json").output)["events"]
    assert [(e["organization"], e["rule"], e["transition"]) for e in events] == [
        ("Ösel & <Co>", "overdrawn", "triggered")
    ]
    text = flask_in_process(app, "alerts", "list", "--open").output
    assert "Ösel & <Co>" in text and "overdrawn critical" in text


def test_evaluate_prints_the_transitions_it_made_once(app):
    org = overdrawn_org()  # checked in March 2026: stale by now
    first = json.loads(flask_in_process(app, "alerts", "evaluate", "--org", str(org.id), "--json").output)
    assert [(t["rule"], t["transition"], t["level"]) for t in first["transitions"]] == [
        ("stale", "triggered", "warning")
    ]
    again = flask_in_process(app, "alerts", "evaluate", "--org", str(org.id))
    assert again.exit_code == 0 and "Evaluated 1 organisation(s): 0 transition(s)." in again.output


def test_an_unknown_organisation_is_a_one_line_error(cli):
    assert_one_line_error(cli("alerts", "evaluate", "--org", "999"), "No organisation with id 999")


def test_the_commands_work_on_an_empty_database(cli):
    listed = cli("alerts", "list", "--open")
    assert listed.returncode == 0 and "No open alerts." in listed.stdout
    evaluated = cli("alerts", "evaluate", "--json")
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout) == {"organizations": 0, "transitions": []}


def test_evaluate_without_org_leaves_inactive_organisations_alone(app):
    inactive = overdrawn_org()
    inactive.active = False
    db.session.flush()
    result = json.loads(flask_in_process(app, "alerts", "evaluate", "--json").output)
    assert inactive.id not in {t["organization_id"] for t in result["transitions"]}
