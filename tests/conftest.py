"""Test harness: the schema is built once per backend by running the migrations;
each test runs inside a transaction that is rolled back.

SQLite always. PostgreSQL when TEST_DATABASE_URL points at a server (a fresh
database is created on it for the run and dropped afterwards). Redis tests use
TEST_REDIS_URL. Under CI=true a missing service is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.read_model_sync import read_model_kept
from webapp import create_app
from webapp.extensions import db, limiter

IN_CI = os.environ.get("CI") == "true"
PG_HINT = "set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres to run PostgreSQL tests"
REDIS_HINT = "set TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run Redis tests"


def _backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_DATABASE_URL"):
        params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql))
    elif IN_CI:
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI")
    return params


def pytest_terminal_summary(terminalreporter):
    if not os.environ.get("TEST_DATABASE_URL"):
        terminalreporter.write_line(f"NOTE: PostgreSQL variants were not run: {PG_HINT}", yellow=True)
    if not os.environ.get("TEST_REDIS_URL"):
        terminalreporter.write_line(f"NOTE: Redis tests were skipped: {REDIS_HINT}", yellow=True)


def pytest_report_header(config):
    return [
        f"PostgreSQL: {os.environ.get('TEST_DATABASE_URL') or 'not configured (' + PG_HINT + ')'}",
        f"Redis: {os.environ.get('TEST_REDIS_URL') or 'not configured (' + REDIS_HINT + ')'}",
    ]


class ScratchPostgres:
    """A throwaway database on the server named by TEST_DATABASE_URL."""

    def __init__(self) -> None:
        self.server = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
        self.name = f"accountdesk_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")

    @property
    def url(self) -> str:
        return self.server.set(database=self.name).render_as_string(hide_password=False)

    def create(self) -> str:
        try:
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as error:  # noqa: BLE001 - turned into a clear failure
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}", pytrace=False)
        return self.url

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def make_test_app(database_url: str, instance_path, **overrides):
    environ = {
        "ACCOUNTDESK_ENV": "testing",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    return create_app({"WTF_CSRF_ENABLED": True, **overrides}, environ=environ)


@pytest.fixture(scope="session", params=_backends())
def database_app(request, tmp_path_factory):
    """An app whose database was built by running every migration."""
    instance = tmp_path_factory.mktemp(f"instance-{request.param}")
    scratch = None
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'test.db'}"
    else:
        scratch = ScratchPostgres()
        url = scratch.create()
    app = make_test_app(url, instance)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    if scratch:
        scratch.drop()


@pytest.fixture
def backend(database_app) -> str:
    with database_app.app_context():
        return db.engine.dialect.name


class FreshGlobalsClient(FlaskClient):
    """Requests reuse the test's app context, so clear `g` (CSRF token, current user)
    before each one, as a new context would in production."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(database_app):
    """The app with every session bound to one connection whose transaction is rolled back.

    Flask-SQLAlchemy resolves binds through `db.engines`, so the connection takes the
    engine's place there; sessions use SAVEPOINTs, so code under test may commit.
    """
    with database_app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        limiter.reset()
        database_app.test_client_class = FreshGlobalsClient
        try:
            yield database_app
        finally:
            db.session.remove()
            db.session.configure(join_transaction_mode="conditional_savepoint")
            engines[None] = engine
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def client(app):
    # Ledger rows the tests insert directly keep the read model, as collection does (SPEC §8).
    with read_model_kept():
        yield app.test_client()


def require_service(variable: str, hint: str) -> str:
    """The URL in `variable`, or a skip naming it (a failure under CI=true)."""
    url = os.environ.get(variable)
    if not url:
        if IN_CI:
            pytest.fail(f"CI=true but {variable} is not set", pytrace=False)
        pytest.skip(hint)
    return url


@pytest.fixture
def redis_url():
    """TEST_REDIS_URL, its database flushed before and after (only that database: FLUSHDB)."""
    from redis import Redis

    url = require_service("TEST_REDIS_URL", REDIS_HINT)
    connection = Redis.from_url(url)
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
        connection.close()


@pytest.fixture
def postgres_url(tmp_path):
    """A migrated scratch PostgreSQL database that several processes can share (dropped afterwards)."""
    require_service("TEST_DATABASE_URL", PG_HINT)
    scratch = ScratchPostgres()
    url = scratch.create()
    app = make_test_app(url, tmp_path / "migrate-instance")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    try:
        yield url
    finally:
        scratch.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def unmigrated_database_url(request, tmp_path):
    """An empty scratch database on each backend, for migration tests that step through revisions
    (PostgreSQL: created and dropped; skipped with a hint without TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    require_service("TEST_DATABASE_URL", PG_HINT)
    scratch = ScratchPostgres()
    try:
        yield scratch.create()
    finally:
        scratch.drop()


NOTIFY_SETTINGS = {"WEBHOOK_ALLOW_PRIVATE": True, "WEBHOOK_TIMEOUT": 1.0, "SMTP": None, "REDIS_URL": None}


@pytest.fixture
def notify_app(app):
    """The app with loopback receivers allowed, a short webhook timeout and no Redis (deliveries inline),
    restored afterwards (tests/alerts, tests/notifications)."""
    saved = {key: app.config[key] for key in NOTIFY_SETTINGS}
    app.config.update(NOTIFY_SETTINGS)
    try:
        yield app
    finally:
        app.config.update(saved)
