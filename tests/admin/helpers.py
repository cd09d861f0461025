"""Helpers for the admin tests: a signed-in admin, posting a form with its CSRF token, audit events, a new manager."""

from __future__ import annotations

import re

from tests.dashboard_data import signed_in
from tests.factories import make_org
from tests.helpers import csrf_token
from webapp.extensions import db
from webapp.models import AuditEvent, User


def admin(client):
    return signed_in(client, role="admin")


def post(client, url: str, data: dict | None = None, *, page: str = "/admin/organizations", **kwargs):
    """POST with a valid CSRF token taken from `page` (as a browser would)."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)


def events(action: str | None = None) -> list[AuditEvent]:
    statement = db.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        statement = statement.where(AuditEvent.action == action)
    return list(db.session.scalars(statement))


NEW_PASSWORD = "my own long passphrase 42"


def created_manager(app, client) -> tuple[str, str]:
    """An admin creates a manager assigned to one organisation; returns its email and one-time password."""
    org = make_org(name="Assigned Org")
    admin(client)
    page = post(client, "/admin/users", {"email": "first@example.com", "role": "manager"}).get_data(as_text=True)
    password = re.search(r'id="new-user-password" class="secret">([^<]+)<', page).group(1)
    user = db.session.scalar(db.select(User).where(User.email == "first@example.com"))
    post(client, f"/admin/users/{user.id}/assignments", {"organizations": [org.id]})
    assert user.must_change_password
    return "first@example.com", password


def change_password(client, old: str, new: str = NEW_PASSWORD):
    token = csrf_token(client, "/account/password")
    return client.post("/account/password", data={"csrf_token": token, "current": old, "new": new, "confirm": new})
