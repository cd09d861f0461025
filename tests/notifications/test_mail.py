"""Mail through a real SMTP server on loopback (aiosmtpd): both parts, recipients, escaping, one message per
idempotency key; SMTP down then back loses nothing and sends once; without SMTP_URL the outbox keeps it."""

from __future__ import annotations

from flask import render_template_string

from tests.notifications.helpers import mails
from tests.notifications.receivers import free_port, smtp_server
from webapp.config import load_config
from webapp.extensions import db
from webapp.models import MailMessage
from webapp.models.types import utcnow
from webapp.notifications import send_mail
from webapp.notifications.dispatch import due_items
from webapp.notifications.smtp import deliver_mail

XSS = "<script>alert('x')</script>"


def smtp(port: int) -> dict:
    return {"host": "127.0.0.1", "port": port, "username": None, "password": None, "tls": None}


def queue_mail(key: str = "digest-1-2026-11-29") -> int:
    html = render_template_string("<p>{{ name }} is running low</p>", name=XSS)
    message = send_mail(db.session(), ["a@example.com", "b@example.com"], f"Low: {XSS}", f"{XSS} is low", html, key)
    db.session.commit()  # sends it (no Redis: inline)
    return message.id


def test_mail_goes_out_by_smtp_with_both_parts_and_escaped_names(notify_app):
    with smtp_server() as (mailbox, port):
        notify_app.config["SMTP"] = smtp(port)
        queue_mail()
    [(recipients, message)] = mailbox.messages
    assert recipients == ["a@example.com", "b@example.com"] and message["Subject"] == f"Low: {XSS}"
    assert message["From"] == notify_app.config["MAIL_FROM"] and message["Message-ID"].endswith("@accountdesk>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert XSS in text and XSS not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert [m.status for m in mails()] == ["sent"]


def test_one_mail_per_idempotency_key_whatever_the_retries(notify_app):
    with smtp_server() as (mailbox, port):
        notify_app.config["SMTP"] = smtp(port)
        first, second = queue_mail(), queue_mail()
        assert deliver_mail(db.session(), first)["outcome"] == "not_due"
    assert first == second and len(mailbox.messages) == 1 and len(mails()) == 1


def test_smtp_down_then_back_loses_nothing_and_sends_once(notify_app):
    port = free_port()
    notify_app.config["SMTP"] = smtp(port)
    mail_id = queue_mail()
    [mail] = mails()
    assert mail.status == "queued" and mail.attempts == 1 and "Connection refused" in mail.last_error
    assert mail.next_attempt_at > utcnow()
    with smtp_server(port) as (mailbox, _):
        db.session.execute(db.update(MailMessage).values(next_attempt_at=utcnow()))  # time passes
        db.session.commit()
        assert due_items(db.session()) == [("mail", mail_id, mails()[0].next_attempt_at)]
        assert deliver_mail(db.session(), mail_id)["outcome"] == "sent"
        assert deliver_mail(db.session(), mail_id)["outcome"] == "not_due"
    assert len(mailbox.messages) == 1 and mails()[0].status == "sent" and due_items(db.session()) == []


def test_without_smtp_url_mail_is_kept_in_the_outbox(notify_app):
    queue_mail()
    [mail] = mails()
    assert mail.status == "outbox" and mail.attempts == 0 and due_items(db.session()) == []


def test_smtp_url_forms():
    def parsed(url: str) -> dict:
        return load_config({"SMTP_URL": url, "INSTANCE_PATH": "/tmp/smtp-config", "SECRET_KEY": "x" * 40})["SMTP"]

    assert parsed("smtp://user:p%40ss@mail.example:587?starttls=1") == {
        "host": "mail.example",
        "port": 587,
        "username": "user",
        "password": "p@ss",
        "tls": "starttls",
    }
    assert parsed("smtps://mail.example")["port"] == 465 and parsed("smtps://mail.example")["tls"] == "ssl"
    assert parsed("smtp://mail.example")["port"] == 25 and parsed("smtp://mail.example")["tls"] is None
