"""Issue 15: in headless Chromium a manager sees an alert appear after a collection (portfolio badge, alerts
page), acknowledges it, and an admin finds the acknowledgement in the audit log; the manager sets the alert
mail preference and the admin the organisation's alert overrides. Screenshots; no console error or CSP
violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_migrate import upgrade

from tests.conftest import make_test_app
from tests.e2e.conftest import serving
from tests.factories import PASSWORD, make_org, make_user
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.extensions import db
from webapp.providers import BalanceReading

pytestmark = pytest.mark.browser
MANAGER, ADMIN = "alerts-manager@example.com", "alerts-admin@example.com"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def alerts_server(tmp_path_factory) -> Iterator[tuple[str, object, int]]:
    instance = tmp_path_factory.mktemp("e2e-alerts-instance")
    app = make_test_app(f"sqlite:///{instance / 'alerts.db'}", instance)
    with app.app_context():
        upgrade()
        org = make_org(name=f"Alerted {XSS}", provider_account_ref="demo-0001")
        make_user(email=MANAGER, organizations=[org])
        make_user(email=ADMIN, role="admin")
        db.session.commit()
        org_id = org.id
    with serving(app) as url:
        yield url, app, org_id


def sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def test_a_manager_sees_an_alert_after_a_collection_acknowledges_it_and_the_admin_audits_it(
    alerts_server, browser_page
):
    url, app, org_id = alerts_server
    page = browser_page.page
    sign_in(page, url, MANAGER)
    assert page.locator(".alert-badge").count() == 0
    with app.app_context():  # a collection finds the balance overdrawn
        at = datetime.now(UTC)
        write_checks(org_id, balances=[BalanceCheck(at, BalanceReading(Decimal("-42.00"), "EUR"))])
        db.session.commit()
    page.reload()
    assert page.inner_text(".alert-badge") == "1 alert"
    browser_page.shot("alerts-portfolio-badge")
    page.click(".alert-badge")
    page.wait_for_url(url + "/alerts")
    assert "Overdrawn" in page.inner_text("main") and XSS in page.inner_text("main")
    browser_page.shot("alerts-page-open")
    page.click("text=Acknowledge")
    page.wait_for_selector("text=acknowledged")
    browser_page.shot("alerts-page-acknowledged")
    page.goto(url + "/account")
    page.check("input[name=email][value=digest]")
    page.click("#alert-mail-form button[type=submit]")
    page.wait_for_selector("text=Alert mail preference saved.")
    browser_page.shot("account-alert-mail")
    page.context.clear_cookies()
    sign_in(page, url, ADMIN)
    page.goto(url + "/admin/audit")
    log = page.inner_text("#audit-table")
    assert "alert acknowledged" in log and MANAGER in log and "alert mail changed" in log
    browser_page.shot("alerts-audit-log")
    page.goto(f"{url}/admin/organizations/{org_id}")
    page.check("input[name=muted][value=stale]")
    page.fill("#runway_days", "14, 7")
    page.click("#alert-settings-form button[type=submit]")
    assert "three whole numbers" in page.inner_text("#alert-settings")
    browser_page.shot("admin-alert-settings-error")
    page.fill("#runway_days", "21, 10, 3")
    page.click("#alert-settings-form button[type=submit]")
    page.wait_for_selector("text=Alert settings saved.")
    assert page.input_value("#runway_days") == "21, 10, 3"
    browser_page.shot("admin-alert-settings")
    # the refused form is answered 422 on purpose; Chromium logs any 4xx document load as a console error
    assert [e for e in browser_page.errors if "status of 422" not in e] == []
