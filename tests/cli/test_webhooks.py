"""`flask webhooks create|list|disable|test` as real processes (SQLite, no Redis: `test` delivers at once to a
loopback receiver that verifies the signature), one-line errors, and the audit record with actor `cli`."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from tests.admin.helpers import events
from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process
from tests.factories import make_org
from tests.notifications.receivers import Receiver, Reply

PRIVATE_OK = {"WEBHOOK_ALLOW_PRIVATE": "1"}


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    run = flask_process(tmp_path_factory.mktemp("webhooks-cli-instance"))
    assert run("orgs", "create", "--name", "Acme", "--provider-ref", "acme-hooks").returncode == 0
    return run


def test_create_prints_the_secret_once_and_test_delivers_a_signed_event(cli):
    with Receiver() as receiver:
        created = cli("webhooks", "create", "--org", "1", "--url", receiver.url, "--json", extra_env=PRIVATE_OK)
        assert created.returncode == 0, created.stderr
        data = json.loads(created.stdout)
        assert data["secret"].startswith("whsec_") and data["active"] and data["url"] == receiver.url
        listed = cli("webhooks", "list", "--json")
        assert data["secret"] not in listed.stdout and json.loads(listed.stdout)["endpoints"][0]["id"] == data["id"]
        sent = cli("webhooks", "test", str(data["id"]), "--json", extra_env=PRIVATE_OK)
        assert sent.returncode == 0, sent.stderr
        result = json.loads(sent.stdout)
        assert result["status"] == "delivered" and result["status_code"] == 200
    [request] = receiver.requests
    payload = Webhook(data["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "test" and payload["id"] == result["event_id"] == request.headers["webhook-id"]


def test_test_reports_a_failed_delivery_and_disable_stops_the_endpoint(cli):
    with Receiver(Reply(503)) as receiver:
        url = receiver.url + "?x=1"
        created = cli("webhooks", "create", "--org", "1", "--url", url, "--json", extra_env=PRIVATE_OK)
        endpoint_id = str(json.loads(created.stdout)["id"])
        failed = cli("webhooks", "test", endpoint_id, extra_env=PRIVATE_OK)
        assert_one_line_error(failed, "not delivered: HTTP 503")
    assert "Disabled webhook endpoint" in cli("webhooks", "disable", endpoint_id).stdout
    assert_one_line_error(cli("webhooks", "test", endpoint_id), f"Webhook endpoint {endpoint_id} is disabled.")


def test_bad_input_is_a_one_line_error(cli):
    assert_one_line_error(cli("webhooks", "create", "--org", "1", "--url", "http://10.0.0.5/h"), "private address")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--org", "{org}", "--url", "ftp://x.example/"], "must start with https://"),
        (["create", "--org", "{org}", "--url", "https://user:pw@x.example/"], "must not contain a user name"),
        (["create", "--org", "{org}", "--url", "http://[::1]:8080/h"], "loopback address"),
        (["create", "--org", "999999", "--url", "https://x.example/"], "No organisation with id 999999"),
        (["disable", "999999"], "No webhook endpoint with id 999999"),
        (["test", "999999"], "No webhook endpoint with id 999999"),
    ],
)
def test_refusals_name_the_problem(app, args, message):
    org = make_org()
    result = flask_in_process(app, "webhooks", *[a.format(org=org.id) for a in args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_every_command_has_help(app):
    assert flask_in_process(app, "webhooks", "disable", "abc").exit_code == 2
    for command in ("create", "list", "disable", "test"):
        result = flask_in_process(app, "webhooks", command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_cli_changes_are_audited_with_actor_cli(app):
    org = make_org()
    created = flask_in_process(app, "webhooks", "create", "--org", str(org.id), "--url", "https://hooks.example/in")
    assert created.exit_code == 0, created.output
    assert flask_in_process(app, "webhooks", "disable", created.output.split()[3].rstrip(":")).exit_code == 0
    assert [(e.action, e.actor) for e in events() if e.action.startswith("webhook")] == [
        ("webhook_endpoint_created", "cli"),
        ("webhook_endpoint_disabled", "cli"),
    ]


def test_reseal_moves_every_secret_to_the_first_key_and_names_those_no_key_opens(app):
    """After a rotation (new key first), `flask webhooks reseal` seals every secret with the new key, so
    the old one can be dropped; a secret no listed key opens is named and the exit status is 1."""
    import base64

    from sqlalchemy import text

    from webapp.extensions import db
    from webapp.notifications.sealing import unseal

    old_keys = tuple(app.config["WEBHOOK_SECRETS_KEYS"])
    new_key = base64.urlsafe_b64encode(b"the new key after the rotation..").decode()
    org = make_org()
    created = flask_in_process(app, "webhooks", "create", "--org", str(org.id), "--url", "https://a.example/in")
    secret = created.output.split("secret: ", 1)[1].split()[0]
    try:
        app.config["WEBHOOK_SECRETS_KEYS"] = (new_key, *old_keys)
        resealed = flask_in_process(app, "webhooks", "reseal", "--json")
        assert resealed.exit_code == 0 and json.loads(resealed.output) == {"resealed": 1, "unreadable": []}
        app.config["WEBHOOK_SECRETS_KEYS"] = (new_key,)  # the old key dropped: the secret still opens
        stored = db.session.execute(text("SELECT id, secret FROM webhook_endpoints")).all()
        assert [unseal(sealed) for _id, sealed in stored] == [secret]
        db.session.execute(text("UPDATE webhook_endpoints SET secret = :s"), {"s": "gAAAAAnot-a-token"})
        db.session.commit()
        broken = flask_in_process(app, "webhooks", "reseal")
        assert broken.exit_code == 1 and f"endpoint(s) {stored[0][0]}" in broken.output
    finally:
        app.config["WEBHOOK_SECRETS_KEYS"] = old_keys
    assert ("webhook_secrets_resealed", "cli") in [(e.action, e.actor) for e in events()]
