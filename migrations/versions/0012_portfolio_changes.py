"""Portfolio changes: which transaction last changed what the portfolio's header (and the navigation's count
of open alerts) adds up, per organisation.

The header (per currency: balance under management, this month's cost, how many organisations each
filter keeps) is an aggregate over every visible summary. On PostgreSQL a web process keeps its last
answer with the snapshot it was computed in, and uses it again while no transaction that this snapshot
could not see has changed an organisation, its summary, its assignments or its alert states (and no time
rule has flipped since). These triggers write that "last changed by" row, one per organisation (0 for a TRUNCATE, which
changes them all), so the check is one index probe and the table never grows beyond the organisations.

SQLite (one process, small portfolios) keeps the table empty and computes the header every time.

Revision ID: 0012_portfolio_changes
Revises: 0011_sealed_webhook_secrets
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_portfolio_changes"
down_revision = "0011_sealed_webhook_secrets"
branch_labels = None
depends_on = None

# table -> the column naming the organisation its rows belong to
WATCHED = {
    "organizations": "id",
    "organization_summaries": "organization_id",
    "user_organizations": "organization_id",
    "alert_states": "organization_id",  # the navigation's count of open alerts is reused the same way
}


def _function(table: str, column: str) -> str:
    """The trigger function of one table: upsert (organisation, this transaction); 0 for a TRUNCATE."""
    name = f"note_portfolio_change_{table}"
    op.execute(f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed integer := 0;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                changed := OLD.{column};
            ELSIF TG_OP <> 'TRUNCATE' THEN
                changed := NEW.{column};
            END IF;
            INSERT INTO portfolio_changes (organization_id, txid)
            VALUES (changed, pg_current_xact_id()::text::bigint)
            ON CONFLICT (organization_id) DO UPDATE SET txid = EXCLUDED.txid
            WHERE portfolio_changes.txid IS DISTINCT FROM EXCLUDED.txid;
            RETURN NULL;
        END $$
    """)
    return name


def upgrade():
    op.create_table(
        "portfolio_changes",
        sa.Column("organization_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_portfolio_changes")),
    )
    op.create_index("ix_portfolio_changes_txid", "portfolio_changes", ["txid"])
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in WATCHED.items():
        function = _function(table, column)
        op.execute(f"""
            CREATE TRIGGER {table}_portfolio_change AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()
        """)
        op.execute(f"""
            CREATE TRIGGER {table}_portfolio_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}()
        """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_portfolio_change ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_portfolio_truncate ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS note_portfolio_change_{table}()")
    op.drop_index("ix_portfolio_changes_txid", table_name="portfolio_changes")
    op.drop_table("portfolio_changes")
