"""`flask api-clients create|list|revoke`: credentials for the integration API (SPEC §6), with the admin page's
rules (one active client of a name per organisation) and audit (actor `cli`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.cli.common import database_errors_as_messages, emit, fail_on_validation
from webapp.extensions import db
from webapp.models import ApiClient
from webapp.queries.api_clients import list_clients
from webapp.routing import MAX_ID
from webapp.services.api_clients import create_client, revoke_client
from webapp.services.errors import ValidationError
from webapp.services.exports import iso_utc

api_clients_cli = AppGroup("api-clients", help="Manage API clients (integration credentials).")


def _client_dict(client: ApiClient) -> dict[str, object]:
    return {
        "client_id": client.client_id,
        "organization_id": client.organization_id,
        "name": client.name,
        "created_at": iso_utc(client.created_at),
        "last_used_at": iso_utc(client.last_used_at) if client.last_used_at else None,
        "revoked_at": iso_utc(client.revoked_at) if client.revoked_at else None,
    }


@api_clients_cli.command("create", help="Create a client for one organisation; prints its secret once.")
@click.option(
    "--org", "org_id", type=click.IntRange(1, MAX_ID), required=True, help="Organisation id the client is bound to."
)
@click.option("--name", required=True, help="What the client is for, e.g. 'ERP export'.")
@click.option("--json", "as_json", is_flag=True, help="Print the client and secret as JSON.")
@database_errors_as_messages
def create(org_id: int, name: str, as_json: bool) -> None:
    try:
        new = create_client(organization_id=org_id, name=name)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    data = {**_client_dict(new.client), "client_secret": new.secret}
    text = (
        f"Created API client {new.client.client_id} for organisation {org_id} ({new.client.name})\n"
        f"  client_secret: {new.secret}  (shown once; store it now)"
    )
    emit(as_json, data, text)


@api_clients_cli.command("list", help="List API clients (all, or one organisation's).")
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), help="Only this organisation id.")
@click.option("--json", "as_json", is_flag=True, help="Print the clients as JSON.")
@database_errors_as_messages
def list_command(org_id: int | None, as_json: bool) -> None:
    rows = [_client_dict(client) for client in list_clients(org_id)]
    lines = [
        f"{r['client_id']}  org {r['organization_id']}  {r['name']}  "
        + (f"revoked {r['revoked_at']}" if r["revoked_at"] else "active")
        for r in rows
    ]
    emit(as_json, {"clients": rows}, "\n".join(lines) or "No API clients.")


@api_clients_cli.command("revoke", help="Revoke a client; its outstanding tokens stop working at once.")
@click.argument("client_id")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked client as JSON.")
@database_errors_as_messages
def revoke(client_id: str, as_json: bool) -> None:
    try:
        client = revoke_client(client_id)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    data = _client_dict(client)
    emit(as_json, data, f"Revoked API client {client.client_id} (since {data['revoked_at']})")
