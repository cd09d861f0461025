"""`flask db grant-runtime ROLE`: the least privileges web, worker and scheduler need on PostgreSQL.

Migrations run as the role that owns the schema; the processes run as a runtime role that may read
and insert everywhere, change rows in place only where the application does, and never alter a
table, function or trigger (so it cannot switch off the append-only triggers).
"""

from __future__ import annotations

import click
from sqlalchemy import Connection, text

from webapp.database import APPEND_ONLY_TABLES
from webapp.extensions import db

# What the application changes in place, beyond SELECT and INSERT (found by reading the write paths).
CHANGED_IN_PLACE: dict[str, tuple[str, ...]] = {
    "organizations": ("UPDATE",),  # admin edits: name, provider reference, threshold, active
    "users": ("UPDATE",),  # role, password, active; the last-admin check locks rows (FOR UPDATE)
    "user_organizations": ("DELETE",),  # assignments removed
    "login_sessions": ("UPDATE",),  # ended_at at sign-out and deactivation
    "api_clients": ("UPDATE",),  # revoked_at, last used
    "collection_states": ("UPDATE",),  # upserted by every collection (ON CONFLICT DO UPDATE)
    "collection_runs": ("UPDATE",),  # finished_at and counts when a run ends
    # The read model (SPEC §8) is derived: collection updates it, `flask summaries rebuild` replaces it.
    "organization_summaries": ("UPDATE", "DELETE"),
    "organization_daily_figures": ("UPDATE", "DELETE"),
    "spend_anomalies": ("UPDATE", "DELETE"),  # episodes grow and close; a manager's mark; re-detection
    "portfolio_changes": ("UPDATE",),  # its triggers upsert each organisation's last writer
    "alert_states": ("UPDATE",),  # each (organisation, rule)'s level, acknowledgement and snooze
    "notification_preferences": ("UPDATE",),  # a user's alert mail choice (account page)
    "alert_overrides": ("UPDATE",),  # an organisation's muted rules and runway days (admin form)
    # Notifications (SPEC §10): endpoints are disabled, deliveries and mail move through their states.
    "webhook_endpoints": ("UPDATE",),
    "webhook_deliveries": ("UPDATE",),
    "mail_messages": ("UPDATE",),
}
# Written once, never changed (the append-only tables are also guarded by triggers).
INSERT_ONLY = frozenset({"collection_outcomes", *(table.name for table in APPEND_ONLY_TABLES)})
READ_ONLY = frozenset({"alembic_version"})


def runtime_grants(schema: str, role: str) -> list[str]:
    """The statements, in order; running them again gives the same privileges (REVOKE first)."""
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # Tables and sequences the owner creates later (future migrations) are readable and insertable.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    statements += [f"REVOKE INSERT ON {schema}.{table} FROM {role}" for table in sorted(READ_ONLY)]
    for table, privileges in sorted(CHANGED_IN_PLACE.items()):
        statements.append(f"GRANT {', '.join(privileges)} ON {schema}.{table} TO {role}")
    return statements


def _check_role(connection: Connection, role: str) -> None:
    row = connection.execute(
        text("SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if row is None:
        raise click.ClickException(f"there is no PostgreSQL role named {role!r}; create it first (CREATE ROLE … LOGIN)")
    if row[0] or row[1]:
        raise click.ClickException(
            f"{role!r} is a superuser or the role running this command (the owner);"
            " the runtime role must be another one"
        )
    owned = connection.scalar(
        text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = :role"),
        {"role": role},
    )
    if owned:
        raise click.ClickException(f"{role!r} owns tables; the runtime role must not own the schema")


@click.command("grant-runtime")
@click.argument("role")
def grant_runtime_command(role: str) -> None:
    """Grant ROLE what web, worker and scheduler need, and nothing that alters tables or triggers.

    Run as the owner (the role that ran `flask db upgrade`), after every migration.
    """
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("grant-runtime is for PostgreSQL; SQLite has no roles")
    preparer = db.engine.dialect.identifier_preparer
    with db.engine.begin() as connection:
        _check_role(connection, role)
        schema = preparer.quote(connection.scalar(text("SELECT current_schema()")))
        for statement in runtime_grants(schema, preparer.quote(role)):
            connection.execute(text(statement))
    changed = len(CHANGED_IN_PLACE)
    click.echo(f"granted runtime privileges to {role}: SELECT, INSERT; UPDATE or DELETE on {changed} tables")
