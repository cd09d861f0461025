"""Webhook delivery against real loopback receivers: the signature verifies with the standardwebhooks library,
and each fault (down, slow, 500 then 200, 429, 410, redirect, private address, 5 days of failures) does what
SPEC §10 says. Without Redis the commit that stored the event delivers it (one attempt)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from tests.factories import make_user
from tests.notifications.helpers import attempts_of, delivery_of, endpoint_for, mails, make_due
from tests.notifications.receivers import Receiver, Reply, free_port
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.notifications import enqueue_event, send_mail
from webapp.notifications.delivery import deliver_webhook
from webapp.services.errors import ValidationError

XSS = "<img src=x onerror=alert(1)>"


def fire(endpoint, event_type="balance.low.triggered", data=None, **kwargs):
    event = enqueue_event(db.session(), endpoint.organization_id, event_type, data or {"amount": "1.00"}, **kwargs)
    event_id = event.id
    db.session.commit()  # no Redis: this commit delivers it
    return event_id


def test_a_delivery_is_signed_per_standard_webhooks_and_carries_the_documented_payload(notify_app):
    with Receiver() as receiver:
        endpoint, secret = endpoint_for(receiver.url)
        event_id = fire(endpoint, data={"amount": Decimal("-3.10"), "currency": "EUR", "at": utcnow()})
    [request] = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["id"] == event_id == request.headers["webhook-id"] and event_id.startswith("msg_")
    assert payload["type"] == "balance.low.triggered" and payload["organization_id"] == endpoint.organization_id
    assert payload["occurred_at"].endswith("Z") and payload["data"]["amount"] == "-3.10"
    assert payload["data"]["at"].endswith("Z") and request.headers["content-type"] == "application/json"
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(request.body.replace(b"-3.10", b"-9.10"), request.headers)
    delivery = delivery_of(event_id)
    assert delivery.status == "delivered" and delivery.attempts == 1
    [attempt] = attempts_of(delivery)
    assert attempt.status_code == 200 and attempt.error is None and attempt.duration_ms >= 0


def test_receiver_down_is_logged_and_retried_5_seconds_later(notify_app):
    endpoint, _ = endpoint_for(f"http://127.0.0.1:{free_port()}/hook")
    before = utcnow()
    delivery = delivery_of(fire(endpoint))
    [attempt] = attempts_of(delivery)
    assert delivery.status == "pending" and attempt.status_code is None and "could not connect" in attempt.error
    assert timedelta(seconds=4.4) <= delivery.next_attempt_at - before <= timedelta(seconds=6)


def test_a_receiver_slower_than_the_timeout_is_a_failure(notify_app):
    with Receiver(Reply(delay=2.5)) as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        delivery = delivery_of(fire(endpoint))
    [attempt] = attempts_of(delivery)
    assert delivery.status == "pending" and "timed out after 1 s" in attempt.error
    assert 900 <= attempt.duration_ms < 2500


def test_500_then_200_delivers_on_the_retry_with_the_same_webhook_id_and_body(notify_app):
    with Receiver(Reply(500), Reply(200)) as receiver:
        endpoint, secret = endpoint_for(receiver.url)
        delivery = delivery_of(fire(endpoint))
        assert delivery.status == "pending" and attempts_of(delivery)[0].error == "HTTP 500 Internal Server Error"
        assert deliver_webhook(db.session(), delivery.id)["outcome"] == "not_due"  # a duplicate job sends nothing
        make_due(delivery.id)
        assert deliver_webhook(db.session(), delivery.id)["outcome"] == "delivered"
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.event_id
    assert first.body == second.body and Webhook(secret).verify(second.body, second.headers)
    assert [a.status_code for a in attempts_of(delivery_of(delivery.event_id))] == [500, 200]


def test_429_waits_as_long_as_retry_after_says(notify_app):
    with Receiver(Reply(429, {"Retry-After": "120"})) as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        before = utcnow()
        delivery = delivery_of(fire(endpoint))
    assert delivery.status == "pending" and attempts_of(delivery)[0].status_code == 429
    assert timedelta(seconds=119) <= delivery.next_attempt_at - before <= timedelta(seconds=122)


def test_410_disables_the_endpoint_and_tells_the_admins(notify_app):
    make_user(role="admin", email="ops@example.com")
    with Receiver(Reply(410)) as receiver:
        endpoint, _ = endpoint_for(receiver.url, name=XSS)
        event_id = fire(endpoint)
        fire(endpoint)  # nothing more is sent to it
    assert len(receiver.requests) == 1
    db.session.refresh(endpoint)
    assert endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    assert delivery_of(event_id).status == "failed"
    [mail] = mails()
    assert mail.recipients == ["ops@example.com"] and mail.status == "outbox"
    assert f"endpoint {endpoint.id}" in mail.text_body and XSS in mail.text_body
    assert XSS not in mail.html_body and "&lt;img src=x onerror=alert(1)&gt;" in mail.html_body


def test_a_redirect_is_not_followed(notify_app):
    with Receiver(Reply(302, {"Location": "/elsewhere"})) as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        delivery = delivery_of(fire(endpoint))
    assert [r.path for r in receiver.requests] == ["/hook"]
    assert delivery.status == "pending" and "redirect not followed" in attempts_of(delivery)[0].error


def test_a_private_address_is_refused_at_send_time_unless_allowed(notify_app):
    with Receiver() as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        notify_app.config["WEBHOOK_ALLOW_PRIVATE"] = False
        delivery = delivery_of(fire(endpoint))
    assert receiver.requests == []
    assert "refused: 127.0.0.1 is a loopback address" in attempts_of(delivery)[0].error


def test_a_name_that_resolves_to_a_loopback_address_is_refused_at_send_time(notify_app):
    with Receiver() as receiver:
        endpoint, _ = endpoint_for(receiver.url.replace("127.0.0.1", "localhost"))  # created while allowed
        notify_app.config["WEBHOOK_ALLOW_PRIVATE"] = False
        delivery = delivery_of(fire(endpoint))
    assert receiver.requests == [] and "loopback address" in attempts_of(delivery)[0].error


def test_an_endpoint_failing_for_5_days_is_disabled_with_mail_naming_it_and_its_organisation(notify_app):
    make_user(role="admin", email="ops@example.com")
    endpoint, _ = endpoint_for(f"http://127.0.0.1:{free_port()}/hook", name="Acme & Sons")
    endpoint.failing_since = utcnow() - timedelta(days=5, minutes=1)
    db.session.commit()
    delivery = delivery_of(fire(endpoint))
    db.session.refresh(endpoint)
    assert endpoint.disabled_reason == "failing for 5 days" and delivery.status == "failed"
    [mail] = mails()
    assert f"Webhook endpoint {endpoint.id} of Acme & Sons was disabled" == mail.subject
    assert "Acme &amp; Sons" in mail.html_body and endpoint.url in mail.text_body


def test_enqueue_event_is_idempotent_by_event_id_and_strict_about_its_input(notify_app):
    with Receiver() as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        fire(endpoint, event_id="msg_transition_1")
        fire(endpoint, event_id="msg_transition_1")
        assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0].body)
    assert body["id"] == "msg_transition_1"
    with pytest.raises(ValidationError, match="Unknown webhook event type"):
        enqueue_event(db.session(), endpoint.organization_id, "balance.low.exploded", {})
    with pytest.raises(TypeError, match="float"):
        enqueue_event(db.session(), endpoint.organization_id, "test", {"amount": 1.5})


def test_a_savepoint_inside_the_transaction_delivers_nothing_before_the_real_commit(notify_app):
    """send_mail releases a savepoint, and SQLAlchemy signals after_commit for it: the webhook queued
    before it must wait for the transaction's own commit (else it would go out for rows not yet committed)."""
    with Receiver() as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        event = enqueue_event(db.session(), endpoint.organization_id, "balance.low.triggered", {"amount": "1.00"})
        send_mail(db.session(), "ops@example.com", "Low", "text", "<p>html</p>", "savepoint-test")
        assert receiver.requests == []  # the savepoint's release delivered nothing
        event_id = event.id
        db.session.commit()
    assert len(receiver.requests) == 1 and delivery_of(event_id).status == "delivered"
