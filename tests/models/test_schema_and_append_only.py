"""Migrations are the only way the schema is built, and they match the models;
snapshots are append-only in the ORM and, on PostgreSQL, in the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.factories import make_balance, make_org
from webapp.database import AppendOnlyViolation
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CostSnapshot
from webapp.models.types import utcnow


# SQLite's reflection cannot read an expression index (ix_organizations_lower_name_id): SQLAlchemy warns and
# alembic leaves that index out of the comparison there; on PostgreSQL it is compared like any other.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
def test_models_and_migrations_agree(app):
    connection = db.session.connection()
    dialect = connection.dialect.name

    def on_this_dialect(obj, name, type_, reflected, compare_to):
        # An index the models create on one dialect only (Index(...).ddl_if(dialect=...)), which alembic's
        # comparison does not know about: left out on the others, as the migrations leave it out there.
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return reflected or type_ != "index" or only_on in (None, dialect)

    context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": on_this_dialect})
    assert compare_metadata(context, db.metadata) == []


def test_schema_has_the_latest_lookup_indexes(app):
    from sqlalchemy import inspect

    inspector = inspect(db.session.connection())
    balance = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("balance_snapshots")}
    cost = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("cost_snapshots")}
    assert balance["ix_balance_snapshots_org_collected"] == ["organization_id", "collected_at"]
    assert cost["ix_cost_snapshots_org_month_collected"] == ["organization_id", "year", "month", "collected_at"]


def explain(statement, backend: str) -> str:
    compiled = statement.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    if backend == "sqlite":
        return " ".join(str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    return " ".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))


def with_client_check(statement, org_id: int):
    """The API's form of a read: the token's client is checked in the same statement."""
    from webapp.services.api_clients import active_client_exists

    return statement.where(active_client_exists("adc_plan", org_id))


@pytest.mark.parametrize("form", ["plain", "api"])
def test_latest_balance_is_an_index_lookup(app, backend, form):
    from webapp.queries.balances import latest_balance_stmt

    org = make_org()
    make_balance(org, "1.00")
    statement = latest_balance_stmt(org.id)
    plan = explain(statement if form == "plain" else with_client_check(statement, org.id), backend)
    if backend == "sqlite":
        assert "USING INDEX ix_balance_snapshots_org_collected" in plan
        assert "TEMP B-TREE" not in plan
    else:
        assert "ix_balance_snapshots_org_collected" in plan
        assert "Sort" not in plan


@pytest.mark.parametrize("form", ["plain", "api"])
def test_latest_cost_is_an_index_lookup(app, backend, form):
    from webapp.queries.costs import latest_cost_stmt

    statement = latest_cost_stmt(make_org().id, 2026, 3)
    plan = explain(statement if form == "plain" else with_client_check(statement, 1), backend)
    assert "ix_cost_snapshots_org_month_collected" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan


def test_orm_refuses_to_change_a_snapshot(app):
    row = make_balance(make_org(), "10.00")
    row.amount += 1
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_delete_a_snapshot(app):
    row = make_balance(make_org(), "10.00")
    db.session.delete(row)
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("model", [BalanceSnapshot, CostSnapshot])
def test_orm_refuses_bulk_update_and_delete(app, model):
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(update(model).values(currency="USD"))
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(delete(model))


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE balance_snapshots SET currency = 'USD'",
        "DELETE FROM balance_snapshots",
        "TRUNCATE balance_snapshots CASCADE",
        "UPDATE cost_snapshots SET currency = 'USD'",
        "DELETE FROM cost_snapshots",
        "TRUNCATE cost_snapshots",
    ],
)
def test_postgresql_triggers_refuse_changes(app, backend, statement):
    if backend != "postgresql":
        pytest.skip("triggers exist on PostgreSQL only")
    org = make_org()
    make_balance(org, "10.00")
    db.session.add(
        CostSnapshot(
            organization_id=org.id,
            year=2026,
            month=1,
            collected_at=utcnow(),
            currency="EUR",
            total=Decimal("1.00"),
            fees=[],
            usage_lines=[],
        )
    )
    db.session.flush()
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    nested.rollback()
    assert db.session.scalar(select(BalanceSnapshot.currency).where(BalanceSnapshot.organization_id == org.id)) == "EUR"
