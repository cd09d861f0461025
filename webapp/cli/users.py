"""`flask users create` and `set-timezone`: dashboard users from the shell (SPEC §6, §11), with the
admin page's rules and audit."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp.cli.common import database_errors_as_messages, emit, fail_on_validation
from webapp.extensions import db
from webapp.models import User
from webapp.services.errors import ValidationError
from webapp.services.users import create_user, generate_password, set_time_zone

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


@users_cli.command(
    "set-timezone", help="Set the IANA time zone (such as Europe/Berlin) the dashboard shows a user's timestamps in."
)
@click.option("--email", required=True)
@click.option("--tz", "time_zone", required=True, help="An IANA time zone name; UTC is the default.")
@database_errors_as_messages
def users_set_timezone(email: str, time_zone: str) -> None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with email {email!r}.")
    try:
        changed = set_time_zone(user, time_zone)
    except ValidationError as error:
        fail_on_validation(error)
    db.session.commit()
    click.echo(
        f"{user.email} now sees times in {user.time_zone}" if changed else f"{user.email} already uses {time_zone}"
    )
