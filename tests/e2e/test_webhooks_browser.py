"""Issue 15: an admin adds a webhook endpoint in headless Chromium (the secret is shown once), sends a test event
that a loopback receiver verifies with the standardwebhooks library, reads the delivery log and the mail outbox.
Screenshots of each page; no console error or CSP violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from standardwebhooks import Webhook

from tests.conftest import make_test_app
from tests.e2e.conftest import LiveServer, serving
from tests.factories import PASSWORD, make_org, make_user
from tests.notifications.receivers import Receiver
from webapp.extensions import db
from webapp.notifications import send_mail

pytestmark = pytest.mark.browser
ADMIN = "hooks-admin@example.com"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hooks_server(tmp_path_factory) -> Iterator[LiveServer]:
    """A live server of its own (no Redis: the request delivers), loopback receivers allowed."""
    instance = tmp_path_factory.mktemp("e2e-webhooks-instance")
    app = make_test_app(f"sqlite:///{instance / 'hooks.db'}", instance, WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        upgrade()
        org = make_org(name=f"Hooked {XSS}", provider_account_ref="demo-0001")
        make_user(email=ADMIN, role="admin")
        text = f"All quiet at {XSS}."
        send_mail(db.session(), ADMIN, f"Digest for {XSS}", text, f"<p>{text}</p>", "digest-1")
        db.session.commit()
        org_id = org.id
    with serving(app) as url:
        yield LiveServer(
            url=url,
            manager_email="",
            manager_org_ids=[],
            hostile_org_id=org_id,
            other_org_id=0,
            admin_email=ADMIN,
        )


def test_admin_adds_an_endpoint_and_sends_a_test_event_that_the_receiver_verifies(hooks_server, browser_page):
    page, server = browser_page.page, hooks_server
    page.goto(server.url + "/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    page.goto(f"{server.url}/admin/organizations/{server.hostile_org_id}")
    page.click("#webhooks-link")
    with Receiver() as receiver:
        page.fill("#url", receiver.url)
        page.click("#new-endpoint button[type=submit]")
        secret = page.inner_text("#new-endpoint-secret").strip()
        assert secret.startswith("whsec_")
        browser_page.shot("webhooks-created")
        page.goto(f"{server.url}/admin/organizations/{server.hostile_org_id}/webhooks")
        assert page.locator("#new-endpoint-secret").count() == 0  # shown once
        page.click("#endpoints a")
        page.click("#send-test")
        page.wait_for_selector("text=Test event: delivered (HTTP 200).")
        browser_page.shot("webhook-delivery-log")
    [request] = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "test" and payload["organization_id"] == server.hostile_org_id
    assert page.locator("#delivery-log tbody tr").count() == 1 and "200" in page.inner_text("#delivery-log")
    page.click("nav.tabs >> text=Outbox")
    browser_page.shot("outbox")
    page.click("#outbox a")
    assert XSS in page.inner_text("#mail-html")  # shown as text, never as markup
    browser_page.shot("outbox-message")
    assert browser_page.errors == []
