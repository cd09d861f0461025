"""Browser tests: the real app on a live server (its own SQLite database, demo data) driven by the
system Chromium through Playwright. Under CI=true a missing Chromium fails the run; locally it skips."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from tests.conftest import IN_CI, make_test_app
from tests.dashboard_data import XSS, in_month, line, make_cost
from tests.factories import PASSWORD, make_balance, make_org, make_user
from webapp.collection.replay import load_demo_data
from webapp.extensions import db
from webapp.models import Organization
from webapp.providers.demo import DemoProvider
from webapp.read_model.store import organization_ids, rebuild

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Reported to the console by an init script (not subject to the page's CSP), so a violation fails a test.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
});
"""


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if candidate and Path(candidate).exists() else None


@dataclass
class LiveServer:
    url: str
    manager_email: str
    manager_org_ids: list[int]
    hostile_org_id: int
    other_org_id: int
    admin_email: str = "e2e-admin@example.com"
    password: str = PASSWORD
    extra: dict = field(default_factory=dict)


def seed(app) -> dict:
    """Demo history for four organisations (a manager sees three) plus one with a hostile name."""
    with app.app_context():
        upgrade()
        load_demo_data(orgs=4, days=75, provider=DemoProvider())
        now = datetime.now(UTC)
        hostile = make_org(name=XSS)
        make_balance(hostile, "10.00", at=now - timedelta(days=3))
        lines = [line(XSS, "2.00", operator=("op", XSS))]
        make_cost(hostile, now.year, now.month, in_month(now, timedelta(hours=1)), lines)
        overdrawn = make_org(name="Overdrawn Demo", low_balance_threshold=None)  # issue 13: red whatever the threshold
        make_balance(overdrawn, "-12.34", at=now - timedelta(hours=1))
        ids = [org.id for org in db.session.scalars(db.select(Organization).order_by(Organization.id))]
        for organization_id in organization_ids():  # what collection keeps beside the ledger (SPEC §8)
            rebuild(organization_id)
        make_user(email="e2e-admin@example.com", role="admin")
        make_user(email="e2e-manager@example.com", organizations=[db.session.get(Organization, i) for i in ids[:3]])
        db.session.commit()
        return {"manager_org_ids": ids[:3], "hostile_org_id": hostile.id, "other_org_id": ids[3]}


@contextmanager
def serving(app) -> Iterator[str]:
    """A threaded server of `app` on a free loopback port: its base URL; stopped and the engine disposed after."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = make_test_app(f"sqlite:///{instance / 'e2e.db'}", instance)
    facts = seed(app)
    with serving(app) as url:
        yield LiveServer(url=url, manager_email="e2e-manager@example.com", **facts)


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but Chromium is not installed (apt-get install chromium)", pytrace=False)
        pytest.skip("Chromium not found: install the system package (apt-get install chromium) or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """A browser page whose console errors, page errors and CSP violations are collected."""

    page: object
    errors: list[str]
    htmx_requests: list[dict]

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def browser_page(chromium) -> Iterator[Watched]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watched = Watched(page=page, errors=[], htmx_requests=[])
    page.on("console", lambda message: message.type == "error" and watched.errors.append(message.text))
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: (watched.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on(
        "request", lambda request: request.headers.get("hx-request") and watched.htmx_requests.append(request.headers)
    )
    yield watched
    context.close()
