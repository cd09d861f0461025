"""Recording audit events: who (a user or an API client), what, when and from which address.

Details never carry a secret, token or password: keys that look like one are refused.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from webapp.extensions import db
from webapp.models import AuditEvent, User

FORBIDDEN_KEYS = ("secret", "token", "password", "hash")
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "password_changed",
    "password_reset",
    "user_created",
    "user_role_changed",
    "user_deactivated",
    "user_reactivated",
    "assignments_changed",
    "time_zone_changed",
    "organization_created",
    "organization_changed",
    "api_client_created",
    "api_client_revoked",
    "collect_now",
    "csv_export",
    "alert_acknowledged",
    "alert_snoozed",
    "alert_settings_changed",
    "anomaly_marked",
    "alert_mail_changed",
    "webhook_endpoint_created",
    "webhook_endpoint_disabled",
    "webhook_secrets_resealed",
    "webhook_test_sent",
    "webhook_resent",
)


# Who acted when no one is signed in: a request without a session is an anonymous visitor; outside a
# request the only code that changes audited things is the `flask` CLI, run by an operator at the shell.
ANONYMOUS_ACTOR = "anonymous"
CLI_ACTOR = "cli"


def _actor(actor: User | None) -> tuple[int | None, str]:
    if actor is not None:
        return actor.id, actor.email
    if not has_request_context():
        return None, CLI_ACTOR
    principal = getattr(g, "api_principal", None)
    if principal is not None:
        return None, f"api:{principal.client_id}"
    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, ANONYMOUS_ACTOR


def _check_details(details: dict[str, Any]) -> None:
    for key in details:
        if any(word in key.lower() for word in FORBIDDEN_KEYS):
            raise ValueError(f"audit details must not carry {key!r}")


def record(
    action: str, target: str = "", details: dict[str, Any] | None = None, *, actor: User | None = None
) -> AuditEvent:
    """Add one event to the session; the caller's commit writes it with the change it describes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    details = details or {}
    _check_details(details)
    actor_id, label = _actor(actor)
    event = AuditEvent(
        actor_user_id=actor_id,
        actor=label[:300],
        action=action,
        target=target[:300],
        details=details,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_export(filename: str) -> None:
    """A CSV download, written at once. The body streams after the view returns and reads objects
    loaded before this commit, so the commit must not expire them."""
    record("csv_export", filename, {"path": request.path if has_request_context() else None})
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
