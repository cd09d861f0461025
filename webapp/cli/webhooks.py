"""`flask webhooks create|list|disable|test|reseal`: tenants' webhook endpoints (SPEC §10), with the admin page's
rules and audit (actor `cli`). The secret is printed once, at creation."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.cli.common import database_errors_as_messages, emit, fail_on_validation
from webapp.extensions import db
from webapp.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webapp.notifications.endpoints import create_endpoint, disable_endpoint, send_test_event
from webapp.notifications.sealing import reseal_all
from webapp.routing import MAX_ID
from webapp.services import audit
from webapp.services.errors import ValidationError
from webapp.services.exports import iso_utc

webhooks_cli = AppGroup("webhooks", help="Manage organisations' webhook endpoints (Standard Webhooks).")


def _endpoint_dict(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "id": endpoint.id,
        "organization_id": endpoint.organization_id,
        "url": endpoint.url,
        "created_at": iso_utc(endpoint.created_at),
        "active": endpoint.disabled_at is None,
        "disabled_at": iso_utc(endpoint.disabled_at) if endpoint.disabled_at else None,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": iso_utc(endpoint.failing_since) if endpoint.failing_since else None,
    }


@webhooks_cli.command("create", help="Add an endpoint to an organisation; prints its id and whsec_ secret once.")
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), required=True, help="Organisation id.")
@click.option("--url", required=True, help="Where events are POSTed: an http(s) URL without credentials.")
@click.option("--json", "as_json", is_flag=True, help="Print the endpoint and secret as JSON.")
@database_errors_as_messages
def create(org_id: int, url: str, as_json: bool) -> None:
    try:
        new = create_endpoint(organization_id=org_id, url=url)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    text = (
        f"Created webhook endpoint {new.endpoint.id} for organisation {org_id}: {new.endpoint.url}\n"
        f"  secret: {new.secret}  (shown once; store it now)"
    )
    emit(as_json, {**_endpoint_dict(new.endpoint), "secret": new.secret}, text)


@webhooks_cli.command("list", help="List webhook endpoints (all, or one organisation's); secrets are not shown.")
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), help="Only this organisation id.")
@click.option("--json", "as_json", is_flag=True, help="Print the endpoints as JSON.")
@database_errors_as_messages
def list_command(org_id: int | None, as_json: bool) -> None:
    stmt = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if org_id is not None:
        stmt = stmt.where(WebhookEndpoint.organization_id == org_id)
    rows = [_endpoint_dict(endpoint) for endpoint in db.session.scalars(stmt)]
    lines = [
        f"{r['id']}  org {r['organization_id']}  {r['url']}  "
        + ("active" if r["active"] else f"disabled {r['disabled_at']} ({r['disabled_reason']})")
        for r in rows
    ]
    emit(as_json, {"endpoints": rows}, "\n".join(lines) or "No webhook endpoints.")


@webhooks_cli.command("disable", help="Disable an endpoint: nothing more is sent to it.")
@click.argument("endpoint_id", type=click.IntRange(1, MAX_ID))
@click.option("--json", "as_json", is_flag=True, help="Print the endpoint as JSON.")
@database_errors_as_messages
def disable(endpoint_id: int, as_json: bool) -> None:
    try:
        endpoint, changed = disable_endpoint(endpoint_id)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    text = f"Disabled webhook endpoint {endpoint.id}." if changed else f"Endpoint {endpoint.id} was already disabled."
    emit(as_json, _endpoint_dict(endpoint), text)


def _delivery_state(event_id: str, endpoint_id: int) -> dict[str, object]:
    delivery = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)).one()
    attempt = db.session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.id.desc())
    ).first()
    return {
        "event_id": event_id,
        "endpoint_id": endpoint_id,
        "status": delivery.status,
        "attempted": attempt is not None,
        "status_code": attempt.status_code if attempt else None,
        "error": attempt.error if attempt else None,
    }


@webhooks_cli.command("test", help="Send a `test` event to one endpoint (at once without Redis, else queued).")
@click.argument("endpoint_id", type=click.IntRange(1, MAX_ID))
@click.option("--json", "as_json", is_flag=True, help="Print the event and the delivery's state as JSON.")
@database_errors_as_messages
def test(endpoint_id: int, as_json: bool) -> None:
    try:
        event_id = send_test_event(endpoint_id).id
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()  # delivers it (one attempt, without Redis) or enqueues it
    data = _delivery_state(event_id, endpoint_id)
    if not data["attempted"]:
        text = f"Test event {event_id} queued for endpoint {endpoint_id}."
    else:
        text = f"Test event {event_id} to endpoint {endpoint_id}: {data['status']} (HTTP {data['status_code']})"
    if data["attempted"] and data["status"] != "delivered":
        if as_json:
            emit(True, data, "")
        raise click.ClickException(f"test event {event_id} not delivered: {data['error']} (retried on the schedule)")
    emit(as_json, data, text)


@webhooks_cli.command(
    "reseal",
    help="Seal every endpoint's secret again with the first of WEBHOOK_SECRETS_KEYS (after a rotation, "
    "before the old key is dropped). Exits 1 if some secret no listed key opens.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@database_errors_as_messages
def reseal(as_json: bool) -> None:
    resealed, unreadable = reseal_all()
    audit.record("webhook_secrets_resealed", "webhook endpoints", {"resealed": resealed, "unreadable": unreadable})
    db.session.commit()
    text = f"Resealed {resealed} endpoint secret(s) with the first key."
    if unreadable:
        text += (
            f" No listed key opens the secret of endpoint(s) {', '.join(map(str, unreadable))}: put the key they were"
            " sealed with back into WEBHOOK_SECRETS_KEYS and run this again, or re-create those endpoints."
        )
    emit(as_json, {"resealed": resealed, "unreadable": unreadable}, text)
    if unreadable:
        raise SystemExit(1)
