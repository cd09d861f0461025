"""`flask users create`: dashboard users from the shell (SPEC §6), with the admin page's rules and audit."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from webapp.cli.common import database_errors_as_messages, emit, fail_on_validation
from webapp.extensions import db
from webapp.services.errors import ValidationError
from webapp.services.users import create_user, generate_password

users_cli = AppGroup("users", help="Manage dashboard users.")


@users_cli.command(
    "create", help="Create a dashboard user. Without --password-stdin a password is generated and printed once."
)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "manager"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print the user (and generated password) as JSON.")
@database_errors_as_messages
def users_create(email: str, role: str, password_stdin: bool, as_json: bool) -> None:
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        user = create_user(email=email, role=role, password=password)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    data: dict[str, object] = {"id": user.id, "email": user.email, "role": user.role}
    text = f"Created {user.role} {user.email} (id {user.id})"
    if not password_stdin:
        data["password"] = password
        text += f"\n  password: {password}  (shown once)"
    emit(as_json, data, text)
