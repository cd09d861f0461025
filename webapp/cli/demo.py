"""`flask demo-data`, `flask demo-logins` and `flask fake-provider`: the embedded demo (development)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from webapp.cli.common import database_errors_as_messages, emit
from webapp.cli.progress import rows_progress
from webapp.extensions import db
from webapp.models import Organization, User

ADMIN_EMAIL = "admin@example.com"
MANAGER_EMAIL = "manager@example.com"


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
@click.option("--force", is_flag=True, help="Run even when ACCOUNTDESK_ENV=production (it writes made-up data).")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option(
    "--processes",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Replay organisations in this many processes (PostgreSQL; SQLite always uses one).",
)
@database_errors_as_messages
def demo_data_command(
    org_count: int, days: int, if_empty: bool, as_json: bool, force: bool, quiet: bool, processes: int
) -> None:
    from webapp.collection.replay import load_demo_data
    from webapp.collection.split import SplitFailed
    from webapp.providers.demo import DemoProvider

    if current_app.config["ENV_NAME"] == "production" and not force:
        raise click.ClickException(
            "demo-data writes made-up organisations and history: refused with ACCOUNTDESK_ENV=production "
            "(pass --force if you really mean it)."
        )

    if if_empty and db.session.scalar(select(Organization.id).limit(1)) is not None:
        print_demo_logins()
        return

    with rows_progress(org_count, "Replaying collection runs", quiet=quiet) as advance:
        try:
            summary = load_demo_data(
                orgs=org_count, days=days, provider=DemoProvider(), progress=advance, processes=processes
            )
        except SplitFailed as error:
            raise click.ClickException(
                f"demo-data stopped: {error} (the organisations replayed so far are kept; run it again to resume)"
            ) from None
    credentials = ensure_demo_logins(summary.organization_ids, credentials_path())
    data = {
        "organizations_created": summary.organizations_created,
        "balance_rows": summary.balance_rows,
        "cost_rows": summary.cost_rows,
        "logins": credentials,
    }
    lines = [
        f"Demo data: {summary.organizations_created} organisations created, "
        f"{summary.balance_rows} balance and {summary.cost_rows} cost snapshots written."
    ]
    lines += login_lines(credentials)
    emit(as_json, data, "\n".join(lines))


def ensure_demo_logins(organization_ids: list[int], path: Path) -> dict[str, str]:
    """An admin and a manager (assigned every other organisation, at most 12); passwords kept
    under instance/ so `make run` can print them again."""
    from webapp.services.users import assigned_organization_ids, create_user, generate_password, set_assignments

    saved = json.loads(path.read_text()) if path.exists() else {}
    for email, role in ((ADMIN_EMAIL, "admin"), (MANAGER_EMAIL, "manager")):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            saved[email] = generate_password()
            user = create_user(email=email, role=role, password=saved[email])
        if role == "manager" and not assigned_organization_ids(user.id):
            set_assignments(user.id, set(organization_ids[::2][:12]))
    db.session.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2))
    path.chmod(0o600)
    return saved


def login_lines(credentials: dict[str, str]) -> list[str]:
    if not credentials:
        return ["Demo logins were created earlier; their passwords are not stored here."]
    return [f"  Sign in as {email}  password: {password}" for email, password in credentials.items()]


@click.command("demo-logins", help="Print the demo logins kept under instance/ (development only).")
def demo_logins_command() -> None:
    print_demo_logins()


def print_demo_logins() -> None:
    path = credentials_path()
    credentials = json.loads(path.read_text()) if path.exists() else {}
    click.echo("\n".join(login_lines(credentials)))


@click.command("fake-provider", help="Serve the demo simulation over the http provider contract (development).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 60_000))
@click.option("--token", default=None, help="Require this bearer token (default: PROVIDER_TOKEN, if set).")
def fake_provider_command(host: str, port: int, latency_ms: int, token: str | None) -> None:
    from webapp.providers.fake_server import Faults, serve_forever

    click.echo(f"Fake provider on http://{host}:{port} (faults: POST /_faults)")
    serve_forever(host, port, token or current_app.config["PROVIDER_TOKEN"], Faults(latency=latency_ms / 1000))
