"""The `flask` commands, one module per noun. Names are part of the contract (SPEC §6)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from webapp.cli.alerts import alerts_cli
    from webapp.cli.api_clients import api_clients_cli
    from webapp.cli.collect import collect_cli
    from webapp.cli.database_roles import grant_runtime_command
    from webapp.cli.demo import demo_data_command, demo_logins_command, fake_provider_command
    from webapp.cli.digest import digest_cli
    from webapp.cli.orgs import orgs_cli
    from webapp.cli.summaries import summaries_cli
    from webapp.cli.users import users_cli
    from webapp.cli.webhooks import webhooks_cli

    commands = (
        demo_data_command,
        demo_logins_command,
        fake_provider_command,
        orgs_cli,
        users_cli,
        collect_cli,
        api_clients_cli,
        summaries_cli,
        alerts_cli,
        digest_cli,
        webhooks_cli,
    )
    for command in commands:
        app.cli.add_command(command)
    # `flask db grant-runtime`: a command of Flask-Migrate's `db` group (registered by migrate.init_app).
    app.cli.commands["db"].add_command(grant_runtime_command)  # type: ignore[attr-defined]
