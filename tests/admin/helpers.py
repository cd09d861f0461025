"""Helpers for the admin tests: a signed-in admin, the CSRF token of a page, posting a form."""

from __future__ import annotations

from tests.dashboard_data import signed_in
from tests.helpers import csrf_token
from webapp.extensions import db
from webapp.models import AuditEvent


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
