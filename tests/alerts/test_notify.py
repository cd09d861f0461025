"""A recorded transition goes out: a signed webhook (verified with the standardwebhooks library on a loopback
receiver) and, when critical, instant mail through a real SMTP server (aiosmtpd) — once, whatever the retries."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select
from standardwebhooks import Webhook

from tests.alerts.scripted import T0, collect
from tests.factories import make_org, make_user
from tests.notifications.receivers import Receiver, smtp_server
from webapp.alerts.evaluate import evaluate_now
from webapp.extensions import db
from webapp.models import AlertEvent, MailMessage, WebhookEvent
from webapp.notifications.endpoints import create_endpoint

XSS = "<script>alert('x')</script>"


def smtp(port: int) -> dict:
    return {"host": "127.0.0.1", "port": port, "username": None, "password": None, "tls": None}


def test_an_alert_transition_sends_a_signed_webhook_with_a_stable_id(notify_app):
    with Receiver() as receiver:
        org = make_org()
        new = create_endpoint(organization_id=org.id, url=receiver.url)
        db.session.commit()
        collect(org, "-5")
        db.session.commit()  # delivered inline after the commit (no Redis)
        [request] = receiver.requests
    payload = Webhook(new.secret).verify(request.body, request.headers)
    [event_id] = db.session.scalars(select(AlertEvent.id).where(AlertEvent.organization_id == org.id))
    assert request.headers["webhook-id"] == f"msg_alert_{event_id}" == payload["id"]
    assert payload["type"] == "balance.overdrawn.triggered" and payload["organization_id"] == org.id
    assert payload["data"]["balance"] == "-5.00" and payload["data"]["level"] == "critical"
    assert json.loads(request.body)["data"]["rule"] == "overdrawn"
    evaluate_now(org.id, T0)  # a retried evaluation: no second transition, no second event
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(WebhookEvent)) == 1


def test_a_critical_transition_mails_the_managers_at_once_with_names_escaped(notify_app):
    org = make_org(name=f"Acme {XSS}")
    manager = make_user(organizations=[org])
    make_user(organizations=[make_org()])  # another organisation's manager: not told
    admin = make_user(role="admin")  # no opt-in: not told
    db.session.commit()
    with smtp_server() as (mailbox, port):
        notify_app.config["SMTP"] = smtp(port)
        collect(org, "-5")
        db.session.commit()
        evaluate_now(org.id, T0)
        db.session.commit()
    [(recipients, message)] = mailbox.messages
    assert recipients == [manager.email] and admin.email not in recipients
    assert message["Subject"].startswith("[Account Desk] Critical: ") and XSS in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert XSS in text and XSS not in html and "&lt;script&gt;" in html
    assert db.session.scalar(select(db.func.count()).select_from(MailMessage)) == 1


def test_a_warning_sends_a_webhook_but_no_instant_mail(notify_app):
    org = make_org(low_balance_threshold=Decimal("100"))
    make_user(organizations=[org])
    db.session.commit()
    collect(org, "50")
    db.session.commit()
    kinds = list(db.session.scalars(select(WebhookEvent.event_type).where(WebhookEvent.organization_id == org.id)))
    assert "balance.low.triggered" in kinds
    assert db.session.scalar(select(db.func.count()).select_from(MailMessage)) == 0
