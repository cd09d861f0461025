"""`flask digest send` (SPEC §10) through a real SMTP server on loopback (aiosmtpd): each recipient's digest
with both parts and hostile names escaped, one per user and local day whatever the retries, nothing lost
when SMTP is down and sent once when it is back; clear errors for a bad --user."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.cli.helpers import assert_one_line_error, flask_in_process, flask_process
from tests.factories import make_org, make_user
from tests.notifications.receivers import free_port, smtp_server
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.extensions import db
from webapp.models import MailMessage, NotificationPreference
from webapp.models.types import utcnow
from webapp.notifications.smtp import deliver_mail
from webapp.providers import BalanceReading

XSS = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    return flask_process(tmp_path_factory.mktemp("digest-cli-instance"))


@pytest.fixture
def smtp_app(app):
    saved = {key: app.config[key] for key in ("SMTP", "REDIS_URL")}
    app.config["REDIS_URL"] = None  # mail goes out inline after each commit
    try:
        yield app
    finally:
        app.config.update(saved)


def smtp(port: int) -> dict:
    return {"host": "127.0.0.1", "port": port, "username": None, "password": None, "tls": None}


def setup_people():
    org = make_org(name=f"Acme {XSS}")
    write_checks(org.id, balances=[BalanceCheck(utcnow(), BalanceReading(Decimal("-12.50"), "EUR"))], live=False)
    manager = make_user(organizations=[org], time_zone="Europe/Berlin")
    quiet = make_user(organizations=[make_org()], time_zone="America/New_York")
    off = make_user(organizations=[org])
    db.session.add(NotificationPreference(user_id=off.id, email="off", admin_opt_in=False))
    make_user(role="admin")  # not opted in: no digest
    db.session.commit()
    return manager, quiet, off


def send(app, *args: str) -> dict:
    result = flask_in_process(app, "digest", "send", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_each_recipient_gets_one_digest_a_day_whatever_the_retries(smtp_app):
    manager, quiet, _off = setup_people()
    with smtp_server() as (mailbox, port):
        smtp_app.config["SMTP"] = smtp(port)
        first = send(smtp_app)["digests"]
        again = send(smtp_app)["digests"]
    assert sorted(d["email"] for d in first) == sorted([manager.email, quiet.email])
    assert all(d["sent_now"] for d in first) and not any(d["sent_now"] for d in again)
    assert sorted(rcpt[0] for rcpt, _ in mailbox.messages) == sorted([manager.email, quiet.email])
    by_rcpt = {rcpt[0]: message for rcpt, message in mailbox.messages}
    mine, calm = by_rcpt[manager.email], by_rcpt[quiet.email]
    assert mine["Subject"].startswith("Account Desk daily digest ") and "1 open" in mine["Subject"]
    assert calm["Subject"].endswith("all quiet")
    text = mine.get_body(("plain",)).get_content()
    html = mine.get_body(("html",)).get_content()
    assert f"Acme {XSS}" in text and XSS not in html and "Acme &lt;script&gt;" in html
    assert "Europe/Berlin" in text


def test_smtp_down_then_back_the_digest_is_sent_once(smtp_app):
    manager, _quiet, _off = setup_people()
    port = free_port()
    smtp_app.config["SMTP"] = smtp(port)
    send(smtp_app, "--user", manager.email)
    send(smtp_app, "--user", manager.email)  # a retry while SMTP is down: still one message
    [mail] = db.session.scalars(select(MailMessage)).all()
    assert mail.status == "queued" and mail.attempts == 1 and mail.last_error
    with smtp_server(port) as (mailbox, _):
        db.session.execute(db.update(MailMessage).values(next_attempt_at=utcnow()))  # time passes
        db.session.commit()
        assert deliver_mail(db.session(), mail.id)["outcome"] == "sent"
        assert deliver_mail(db.session(), mail.id)["outcome"] == "not_due"
        send(smtp_app)  # the scheduled run later that day: nothing new for this user
    assert [rcpt for rcpt, _ in mailbox.messages].count([manager.email]) == 1


def test_a_bad_user_is_a_clear_error(smtp_app):
    _manager, _quiet, off = setup_people()
    unknown = flask_in_process(smtp_app, "digest", "send", "--user", "nobody@example.com")
    assert unknown.exit_code != 0 and "No user with email" in unknown.output
    muted = flask_in_process(smtp_app, "digest", "send", "--user", off.email)
    assert muted.exit_code != 0 and "gets no digest" in muted.output
    assert db.session.scalars(select(MailMessage)).all() == []


def test_digest_send_as_a_process(cli):
    assert_one_line_error(cli("digest", "send", "--user", "ghost@example.com"), "No user with email")
    result = cli("digest", "send")
    assert result.returncode == 0 and "0 digest(s) queued" in result.stdout
    assert "--user EMAIL" in cli("digest", "send", "--help").stdout


def test_due_day_is_the_local_day_after_08_00():
    from webapp.alerts.digest import due_day
    from webapp.models import User

    user = User(time_zone="Asia/Tokyo")
    assert str(due_day(user, datetime(2026, 3, 10, 0, tzinfo=UTC))) == "2026-03-10"  # 09:00 Tokyo
    assert str(due_day(user, datetime(2026, 3, 9, 22, tzinfo=UTC))) == "2026-03-09"  # 07:00 Tokyo: yesterday's
