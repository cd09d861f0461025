"""Issue 10 §4: least privilege on PostgreSQL. Migrations run as the owner; web, worker and scheduler run as
a runtime role (`flask db grant-runtime ROLE`) that cannot switch off the append-only triggers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.conftest import make_test_app
from tests.factories import make_org, make_user
from tests.helpers import csrf_token, login
from webapp.cli.database_roles import CHANGED_IN_PLACE, INSERT_ONLY
from webapp.extensions import db

INSUFFICIENT_PRIVILEGE = "42501"
BYPASSES = {
    "disable trigger": "ALTER TABLE balance_snapshots DISABLE TRIGGER balance_snapshots_append_only",
    "replace function": (
        "CREATE OR REPLACE FUNCTION refuse_snapshot_change() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RETURN OLD; END $$"
    ),
    "replication role": "SET session_replication_role = replica",
    "drop trigger": "DROP TRIGGER cost_snapshots_append_only ON cost_snapshots",
    "truncate": "TRUNCATE audit_events",
    "create table": "CREATE TABLE sneaky (id integer)",
    "alter table": "ALTER TABLE organizations ADD COLUMN sneaky integer",
}


def grant(database_url: str, instance, role: str):
    app = make_test_app(database_url, instance)
    result = app.test_cli_runner().invoke(args=["db", "grant-runtime", role])
    with app.app_context():
        db.engine.dispose()
    return result


@pytest.fixture
def runtime(postgres_url, tmp_path) -> Iterator[str]:
    """The URL of a fresh LOGIN role granted by `flask db grant-runtime` on the scratch database."""
    role = f"accountdesk_runtime_{uuid.uuid4().hex[:10]}"
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        result = grant(postgres_url, tmp_path / "owner", role)
        assert result.exit_code == 0, result.output
        yield make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))  # its grants and default privileges
            connection.execute(text(f'DROP ROLE "{role}"'))
        server.dispose()


def run_as(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def test_every_table_has_a_runtime_privilege_decision(database_app):
    """A new table must be listed as changed in place or insert-only, so grant-runtime covers it."""
    assert set(db.metadata.tables) == set(CHANGED_IN_PLACE) | INSERT_ONLY
    assert not set(CHANGED_IN_PLACE) & INSERT_ONLY


def test_grant_runtime_on_sqlite_says_it_is_for_postgresql(tmp_path):
    result = grant(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, "anyone")
    assert result.exit_code != 0 and "for PostgreSQL" in result.output


@pytest.mark.postgresql
@pytest.mark.parametrize("statement", BYPASSES.values(), ids=BYPASSES.keys())
def test_the_runtime_role_cannot_switch_off_the_append_only_guards(runtime, statement):
    with pytest.raises(DBAPIError) as refused:
        run_as(runtime, statement)
    assert refused.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE, refused.value


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "change", ["UPDATE balance_snapshots SET amount = 0", "DELETE FROM balance_snapshots"], ids=["update", "delete"]
)
def test_the_runtime_role_inserts_snapshots_but_cannot_change_them(runtime, change):
    run_as(
        runtime,
        "INSERT INTO organizations (name, provider_account_ref, active, created_at, updated_at)"
        " VALUES ('R', 'runtime-1', true, now(), now())",
        "INSERT INTO balance_snapshots (organization_id, amount, currency, collected_at)"
        " SELECT id, 12.50, 'EUR', now() FROM organizations WHERE provider_account_ref = 'runtime-1'",
    )
    with pytest.raises(DBAPIError) as refused:
        run_as(runtime, change)
    assert refused.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE


@pytest.mark.postgresql
def test_grant_runtime_is_idempotent_and_refuses_the_owner_and_unknown_roles(runtime, postgres_url, tmp_path):
    role = make_url(runtime).username
    assert grant(postgres_url, tmp_path / "again", role).exit_code == 0
    owner = make_url(postgres_url).username
    refused_owner = grant(postgres_url, tmp_path / "owner", owner)
    assert refused_owner.exit_code != 0 and "must be another one" in refused_owner.output
    unknown = grant(postgres_url, tmp_path / "unknown", "no_such_role_here")
    assert unknown.exit_code != 0 and "no PostgreSQL role named" in unknown.output


@pytest.mark.postgresql
def test_the_app_collects_signs_in_and_renders_as_the_runtime_role(runtime, tmp_path):
    app = make_test_app(runtime, tmp_path / "runtime-instance")
    try:
        with app.app_context():
            org = make_org()
            admin = make_user(role="admin")
            db.session.commit()
            org_id, ref, email = org.id, org.provider_account_ref, admin.email
        collected = app.test_cli_runner().invoke(args=["collect", "balances", "--org", str(org_id)])
        assert collected.exit_code == 0, collected.output
        costs = app.test_cli_runner().invoke(args=["collect", "costs", "--org", str(org_id)])
        assert costs.exit_code == 0, costs.output
        with app.test_client() as client:
            assert login(client, email).status_code == 302
            assert client.get(f"/orgs/{org_id}").status_code == 200
            assert client.get("/admin/organizations").status_code == 200
            page = f"/admin/organizations/{org_id}"
            form = {"name": "Renamed", "provider_ref": ref, "active": "y", "csrf_token": csrf_token(client, page)}
            edit = client.post(page, data=form)
            assert edit.status_code in (302, 303), edit.status_code
            assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
        with app.app_context():
            assert db.session.scalar(text("SELECT count(*) FROM balance_snapshots")) >= 1
            assert db.session.scalar(text("SELECT count(*) FROM audit_events")) >= 2
    finally:
        with app.app_context():
            db.engine.dispose()
