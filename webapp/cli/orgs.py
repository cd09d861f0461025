"""`flask orgs create`: organisations from the shell (SPEC §6), with the admin page's rules and audit (actor `cli`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.cli.common import database_errors_as_messages, emit, fail_on_validation
from webapp.extensions import db
from webapp.services.errors import ValidationError
from webapp.services.organizations import create_organization

orgs_cli = AppGroup("orgs", help="Manage organisations.")


@orgs_cli.command("create", help="Create an organisation.")
@click.option("--name", required=True, help="Display name.")
@click.option("--provider-ref", required=True, help="The organisation's account reference at the provider (unique).")
@click.option(
    "--low-balance-threshold",
    default=None,
    help="Balance under which the dashboard warns: a plain decimal such as 500.00 (no exponent, spaces or _).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the organisation as JSON.")
@database_errors_as_messages
def orgs_create(name: str, provider_ref: str, low_balance_threshold: str | None, as_json: bool) -> None:
    try:
        org = create_organization(name=name, provider_ref=provider_ref, low_balance_threshold=low_balance_threshold)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    emit(
        as_json,
        {"id": org.id, "name": org.name, "provider_ref": org.provider_account_ref},
        f"Created organisation {org.id}: {org.name} ({org.provider_account_ref})",
    )
