"""`flask` commands: demo-data, orgs, users, collect. Names are part of the contract (SPEC §6)."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from webapp.extensions import db
from webapp.models import Organization
from webapp.months import YEARS, parse_month
from webapp.providers import ProviderError, get_provider
from webapp.routing import MAX_ID
from webapp.services.errors import ValidationError

orgs_cli = AppGroup("orgs", help="Manage organisations.")
users_cli = AppGroup("users", help="Manage dashboard users.")
collect_cli = AppGroup("collect", help="Collect balances or costs from the provider.")


def database_errors_as_messages(command):
    """One clear line instead of a traceback when the database is unreachable or not migrated."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (OperationalError, ProgrammingError) as error:
            db.session.rollback()
            reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise click.ClickException(
                f"database error: {reason} (check DATABASE_URL and run `flask db upgrade`)"
            ) from None

    return wrapper


def _emit(as_json: bool, data: dict, text: str) -> None:
    click.echo(json.dumps(data, default=str) if as_json else text)


def _fail_on_validation(error: ValidationError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


def month_option(_ctx, _param, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    parsed = parse_month(value)
    if parsed is None:
        first, last = YEARS
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM (month 01–12, year {first}–{last}).")
    return parsed


def credentials_path() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.json"


@click.command("demo-data", help="Create demo organisations, users and history by replaying collection runs.")
@click.option(
    "--orgs",
    "org_count",
    default=12,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Number of demo organisations.",
)
@click.option(
    "--days",
    default=180,
    show_default=True,
    type=click.IntRange(0, 3650),
    help="Days of history to replay (a run every 3 hours).",
)
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the demo logins) if any organisation exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@database_errors_as_messages
def demo_data_command(org_count: int, days: int, if_empty: bool, as_json: bool) -> None:
    from webapp.providers.demo import DemoProvider
    from webapp.services.demo_data import load_demo_data

    if if_empty and db.session.scalar(select(Organization.id).limit(1)) is not None:
        demo_logins_command.callback()
        return

    with click.progressbar(length=org_count, label="Replaying collection runs", file=sys.stderr) as bar:
        summary = load_demo_data(
            orgs=org_count, days=days, provider=DemoProvider(), credentials_path=credentials_path(), progress=bar.update
        )
    data = {
        "organizations_created": summary.organizations_created,
        "balance_rows": summary.balance_rows,
        "cost_rows": summary.cost_rows,
        "logins": summary.credentials,
    }
    lines = [
        f"Demo data: {summary.organizations_created} organisations created, "
        f"{summary.balance_rows} balance and {summary.cost_rows} cost snapshots written."
    ]
    lines += login_lines(summary.credentials)
    _emit(as_json, data, "\n".join(lines))


def login_lines(credentials: dict[str, str]) -> list[str]:
    if not credentials:
        return ["Demo logins were created earlier; their passwords are not stored here."]
    return [f"  Sign in as {email}  password: {password}" for email, password in credentials.items()]


@click.command("demo-logins", help="Print the demo logins kept under instance/ (development only).")
def demo_logins_command() -> None:
    path = credentials_path()
    credentials = json.loads(path.read_text()) if path.exists() else {}
    click.echo("\n".join(login_lines(credentials)))


@orgs_cli.command("create", help="Create an organisation.")
@click.option("--name", required=True, help="Display name.")
@click.option("--provider-ref", required=True, help="The organisation's account reference at the provider (unique).")
@click.option("--low-balance-threshold", default=None, help="Balance under which the dashboard warns, e.g. 500.00.")
@click.option("--json", "as_json", is_flag=True, help="Print the organisation as JSON.")
@database_errors_as_messages
def orgs_create(name: str, provider_ref: str, low_balance_threshold: str | None, as_json: bool) -> None:
    from webapp.services.organizations import create_organization

    try:
        org = create_organization(name=name, provider_ref=provider_ref, low_balance_threshold=low_balance_threshold)
    except ValidationError as error:
        _fail_on_validation(error)
    db.session.commit()
    _emit(
        as_json,
        {"id": org.id, "name": org.name, "provider_ref": org.provider_account_ref},
        f"Created organisation {org.id}: {org.name} ({org.provider_account_ref})",
    )


@users_cli.command(
    "create", help="Create a dashboard user. Without --password-stdin a password is generated and printed once."
)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "manager"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print the user (and generated password) as JSON.")
@database_errors_as_messages
def users_create(email: str, role: str, password_stdin: bool, as_json: bool) -> None:
    from webapp.services.users import create_user, generate_password

    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        user = create_user(email=email, role=role, password=password)
    except ValidationError as error:
        _fail_on_validation(error)
    db.session.commit()
    data = {"id": user.id, "email": user.email, "role": user.role}
    text = f"Created {user.role} {user.email} (id {user.id})"
    if not password_stdin:
        data["password"] = password
        text += f"\n  password: {password}  (shown once)"
    _emit(as_json, data, text)


def _organization_ids(org_id: int | None) -> list[int] | None:
    if org_id is None:
        return None
    if db.session.scalar(select(Organization.id).where(Organization.id == org_id)) is None:
        raise click.ClickException(f"No organisation with id {org_id}.")
    return [org_id]


def _enqueue(kind: str, org_id: int | None, month: tuple[int, int] | None, as_json: bool) -> None:
    from redis.exceptions import RedisError

    from webapp.services.collect_now import QueueUnavailable, collect_now

    try:
        result = collect_now(org_id, kinds=(kind,), months=[month] if month else None, queued=True)
    except (QueueUnavailable, RedisError) as error:
        raise click.ClickException(f"cannot enqueue: {error}") from None
    _emit(as_json, {"kind": kind, "job_ids": result.job_ids}, f"Queued {len(result.job_ids)} {kind} job(s).")


@database_errors_as_messages
def _run(kind: str, org_id: int | None, month: tuple[int, int] | None, as_json: bool, enqueue: bool = False) -> None:
    from webapp.services.collection import run_collection

    ids = _organization_ids(org_id)
    if enqueue:
        return _enqueue(kind, org_id, month, as_json)
    try:
        provider = get_provider()
    except ProviderError as error:
        raise click.ClickException(str(error)) from None
    run = run_collection(kind, provider, organization_ids=ids, months=[month] if month else None)
    counts = {k: getattr(run, k) for k in ("written", "unchanged", "no_costs", "failed")}
    _emit(
        as_json,
        {"run_id": run.id, "kind": kind, **counts},
        f"Run {run.id} ({kind}): " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()),
    )
    if counts["failed"]:
        sys.exit(1)


@collect_cli.command("balances", help="Check balances now (all active organisations, or --org).")
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), help="Only this organisation id.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--enqueue", is_flag=True, help="Send the work to the RQ workers (REDIS_URL) instead of running it here.")
def collect_balances(org_id: int | None, as_json: bool, enqueue: bool) -> None:
    _run("balances", org_id, None, as_json, enqueue)


@collect_cli.command(
    "costs", help="Collect monthly costs now (current month, plus the previous one in its first days)."
)
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), help="Only this organisation id.")
@click.option("--month", callback=month_option, help="Only this month, as YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--enqueue", is_flag=True, help="Send the work to the RQ workers (REDIS_URL) instead of running it here.")
def collect_costs(org_id: int | None, month: tuple[int, int] | None, as_json: bool, enqueue: bool) -> None:
    _run("costs", org_id, month, as_json, enqueue)


@click.command("fake-provider", help="Serve the demo simulation over the http provider contract (development).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 60_000))
@click.option("--token", default=None, help="Require this bearer token (default: PROVIDER_TOKEN, if set).")
def fake_provider_command(host: str, port: int, latency_ms: int, token: str | None) -> None:
    from webapp.providers.fake_server import Faults, serve_forever

    click.echo(f"Fake provider on http://{host}:{port} (faults: POST /_faults)")
    serve_forever(host, port, token or current_app.config["PROVIDER_TOKEN"], Faults(latency=latency_ms / 1000))


def register(app: Flask) -> None:
    from webapp.cli_api import api_clients_cli

    commands = (demo_data_command, demo_logins_command, orgs_cli, users_cli, collect_cli, fake_provider_command)
    for command in (*commands, api_clients_cli):
        app.cli.add_command(command)
