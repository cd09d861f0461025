"""Admin webhooks and outbox: create (secret shown once, not cached), refusals on the form, send a test event
to a loopback receiver (no Redis: delivered by the request), the delivery log, resend, disable; the outbox
lists and shows mail with hostile text escaped."""

from __future__ import annotations

import re

import pytest
from standardwebhooks import Webhook

from tests.admin.helpers import admin, events, post
from tests.factories import make_org
from tests.notifications.receivers import Receiver, Reply
from webapp.extensions import db
from webapp.notifications import send_mail

XSS = "<img src=x onerror=alert(1)>"
SECRET = re.compile(r'id="new-endpoint-secret" class="secret">(whsec_[^<]+)<')


@pytest.fixture
def loopback_allowed(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    yield app
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False


def create(client, org, url):
    return post(client, f"/admin/organizations/{org.id}/webhooks", {"url": url}, page=f"/admin/organizations/{org.id}")


def test_an_admin_adds_an_endpoint_sends_a_test_event_and_resends_it(client, loopback_allowed):
    org = make_org(name=XSS)
    admin(client)
    assert "Webhooks…" in client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    with Receiver(Reply(500), Reply(200)) as receiver:
        response = create(client, org, receiver.url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        secret = SECRET.search(page).group(1)
        assert XSS not in page and secret not in client.get(f"/admin/organizations/{org.id}/webhooks").get_data(True)
        endpoint_id = int(re.search(r'href="/admin/webhooks/(\d+)" id="new-endpoint-link"', page).group(1))
        sent = post(client, f"/admin/webhooks/{endpoint_id}/test", follow_redirects=True).get_data(as_text=True)
        assert "Test event: not delivered: HTTP 500 Internal Server Error" in sent
        delivery_id = re.search(r'action="/admin/webhooks/deliveries/(\d+)/resend"', sent).group(1)
        resent = post(client, f"/admin/webhooks/deliveries/{delivery_id}/resend", follow_redirects=True)
        log = resent.get_data(as_text=True)
        assert "delivered (HTTP 200)" in log and log.count("<li>") >= 2 and "500" in log
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert Webhook(secret).verify(second.body, second.headers)["type"] == "test"
    assert [e.action for e in events() if e.action.startswith("webhook")] == [
        "webhook_endpoint_created",
        "webhook_test_sent",
        "webhook_resent",
    ]


def test_refusals_show_on_the_form_and_disable_stops_sending(client):
    org = make_org()
    admin(client)
    refused = create(client, org, "http://127.0.0.1:8080/hook")
    assert refused.status_code == 422 and "loopback address" in refused.get_data(as_text=True)
    assert create(client, org, "https://user:pw@hooks.example/").status_code == 422
    page = create(client, org, "https://hooks.example/in").get_data(as_text=True)
    endpoint_id = re.search(r'href="/admin/webhooks/(\d+)" id="new-endpoint-link"', page).group(1)
    disabled = post(client, f"/admin/webhooks/{endpoint_id}/disable", follow_redirects=True).get_data(as_text=True)
    assert "Endpoint disabled" in disabled and "Send test event" not in disabled
    again = post(client, f"/admin/webhooks/{endpoint_id}/test", follow_redirects=True).get_data(as_text=True)
    assert f"Webhook endpoint {endpoint_id} is disabled." in again
    assert client.get("/admin/webhooks/999999").status_code == 404
    assert client.get("/admin/organizations/999999/webhooks").status_code == 404


def test_the_outbox_lists_and_shows_mail_escaped(client):
    message = send_mail(db.session(), "ops@example.com", f"Alert for {XSS}", f"Text {XSS}", f"<p>{XSS}</p>", "k-1")
    db.session.commit()
    admin(client)
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "ops@example.com" in listing and XSS not in listing and "&lt;img" in listing
    shown = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert XSS not in shown and "&lt;p&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/p&gt;" in shown
    assert client.get("/admin/outbox/999999").status_code == 404
