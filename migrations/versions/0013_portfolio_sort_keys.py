"""Portfolio sort keys: the figure sorts (balance, "Runs out", "Unchanged since", "Last checked") walk an index.

Sorted by a figure, the portfolio's rows statement joined every organisation to its summary with an outer
join and top-N sorted all of them (10,000 on PostgreSQL: a hash join and a sort, 5–11 ms). An index walk
that stops after the page needs the whole order in one index of one table, so:

- the summary carries the tie-breaker `sort_name` = lower(organizations.name), copied by triggers when a
  summary row is written (every collection deletes and inserts it) and when an organisation is renamed;
- "Runs out" sorts by a generated column (`runway_order`: overdrawn before every date, else the expected
  day), which an index can match where the query's CASE with bound parameters cannot;
- each key has an index (key, sort_name, organization_id) ascending and one descending with NULLs last
  (a backward scan of the ascending one puts them first); on SQLite, whose index syntax has no NULLS LAST,
  plain DESC (the same order there). They replace the single-column indexes on balance_amount and checked_at.

The rows with a key are read from that walk; those without one (a NULL key, or an organisation not yet
collected, which has no summary row) come last, by name, and are read only when a page reaches them
(webapp/queries/portfolio_walk.py).

Revision ID: 0013_portfolio_sort_keys
Revises: 0012_portfolio_changes
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_portfolio_sort_keys"
down_revision = "0012_portfolio_changes"
branch_labels = None
depends_on = None

RUNWAY_ORDER_SQL = "CASE WHEN balance_amount < 0 THEN '0001-01-01' ELSE runs_out_on END"
SORT_KEYS = ("balance_amount", "balance_changed_at", "checked_at", "runway_order")
REPLACED = ("balance_amount", "checked_at")  # single-column indexes, now the leading column of the sort ones
RENAME = "UPDATE organization_summaries SET sort_name = lower(NEW.name) WHERE organization_id = NEW.id"
POSTGRESQL = [
    f"""CREATE FUNCTION organizations_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {RENAME};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER organizations_sort_name AFTER UPDATE OF name ON organizations
    FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION organizations_sort_name()""",
    """CREATE FUNCTION organization_summaries_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.sort_name := (SELECT lower(name) FROM organizations WHERE id = NEW.organization_id);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER organization_summaries_sort_name BEFORE INSERT ON organization_summaries
    FOR EACH ROW EXECUTE FUNCTION organization_summaries_sort_name()""",
]
SQLITE = [  # (SQLite's BEFORE triggers cannot set NEW: the name is copied after the insert)
    f"CREATE TRIGGER organizations_sort_name AFTER UPDATE OF name ON organizations BEGIN {RENAME}; END",
    """CREATE TRIGGER organization_summaries_sort_name AFTER INSERT ON organization_summaries BEGIN
        UPDATE organization_summaries
        SET sort_name = (SELECT lower(name) FROM organizations WHERE id = NEW.organization_id)
        WHERE organization_id = NEW.organization_id;
    END""",
]
TRIGGERS = {"organizations_sort_name": "organizations", "organization_summaries_sort_name": "organization_summaries"}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Stored on PostgreSQL; SQLite cannot add a STORED column to a table, so there it is VIRTUAL (its
    # indexes store the values all the same).
    computed = sa.Computed(RUNWAY_ORDER_SQL, persisted=True if postgresql else None)
    op.add_column("organization_summaries", sa.Column("runway_order", sa.Date(), computed, nullable=True))
    op.add_column("organization_summaries", sa.Column("sort_name", sa.String(length=200), nullable=True))
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)
    op.execute(
        "UPDATE organization_summaries SET sort_name = "
        "(SELECT lower(name) FROM organizations WHERE organizations.id = organization_summaries.organization_id)"
    )
    for key in SORT_KEYS:
        descending = f"{key} DESC NULLS LAST" if postgresql else f"{key} DESC"
        columns = [key, "sort_name", "organization_id"]
        op.create_index(f"ix_organization_summaries_{key}_sort", "organization_summaries", columns)
        op.create_index(
            f"ix_organization_summaries_{key}_sort_desc",
            "organization_summaries",
            [sa.text(descending), "sort_name", "organization_id"],
        )
    for key in REPLACED:
        op.drop_index(f"ix_organization_summaries_{key}", table_name="organization_summaries")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for key in REPLACED:
        op.create_index(f"ix_organization_summaries_{key}", "organization_summaries", [key])
    for key in SORT_KEYS:
        op.drop_index(f"ix_organization_summaries_{key}_sort_desc", table_name="organization_summaries")
        op.drop_index(f"ix_organization_summaries_{key}_sort", table_name="organization_summaries")
    op.drop_column("organization_summaries", "sort_name")  # SQLite ≥ 3.35 drops a column in place
    op.drop_column("organization_summaries", "runway_order")
