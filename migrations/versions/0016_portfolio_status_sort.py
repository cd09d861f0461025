"""Portfolio status sort: "Status" walks an index, as the figure sorts of 0013 and 0014 do.

Sorted by status (more badges first: overdrawn 8 + stale 4 + low balance 2 + runs out within 14 days 1), the rows
statement computed the key of every visible organisation and sorted them all. Two of the badges change only when
something is written (the balance, the threshold); the other two move with the clock (stale: the last check before a
moment that follows now; "runs out within 14 days" of today) and stay judged when read, never stored. So:

- the summary carries `balance_threshold`, the organisation's low-balance threshold, copied by triggers when a
  summary row is written (every collection deletes and inserts it) and when the threshold is edited, as sort_name is
  (0013), so that "under the threshold" is a condition on one row;
- `status_fixed`, a generated column (stored on PostgreSQL, virtual on SQLite, as runway_order): 8 when overdrawn
  plus 2 when under the threshold, which is the whole status key of a row with neither clock-bound badge;
- indexed (status_fixed, sort_name, organization_id, checked_at, runs_out_on) ascending and descending (NULLs last;
  plain DESC on SQLite, the same order there): the tie-breakers, then the two columns the clock-bound badges are
  judged from, so the walk skips those rows without reading the table.

The page: the rows with a clock-bound badge (usually few; found through the indexes on checked_at and runs_out_on)
with their whole key, sorted; the others walked in status_fixed order; organisations not yet collected (no summary
row: never checked, stale) only when a page reaches them (webapp/queries/portfolio_status.py). The low-balance filter
becomes `status_fixed IN (2, 10)`: one indexed condition, with statistics the planner can use.

Revision ID: 0016_portfolio_status_sort
Revises: 0015_portfolio_change_base
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

import webapp.models.types

revision = "0016_portfolio_status_sort"
down_revision = "0015_portfolio_change_base"
branch_labels = None
depends_on = None

TABLE = "organization_summaries"
STATUS_FIXED_SQL = (
    "CASE WHEN balance_amount < 0 THEN 8 ELSE 0 END + CASE WHEN balance_amount < balance_threshold THEN 2 ELSE 0 END"
)
EDITED = "UPDATE organization_summaries SET balance_threshold = NEW.low_balance_threshold WHERE organization_id = NEW.id"
POSTGRESQL = [
    f"""CREATE FUNCTION organizations_balance_threshold() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {EDITED};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER organizations_balance_threshold AFTER UPDATE OF low_balance_threshold ON organizations
    FOR EACH ROW WHEN (NEW.low_balance_threshold IS DISTINCT FROM OLD.low_balance_threshold)
    EXECUTE FUNCTION organizations_balance_threshold()""",
    """CREATE FUNCTION organization_summaries_balance_threshold() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.balance_threshold := (SELECT low_balance_threshold FROM organizations WHERE id = NEW.organization_id);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER organization_summaries_balance_threshold BEFORE INSERT ON organization_summaries
    FOR EACH ROW EXECUTE FUNCTION organization_summaries_balance_threshold()""",
]
SQLITE = [  # (SQLite's BEFORE triggers cannot set NEW: the threshold is copied after the insert)
    f"""CREATE TRIGGER organizations_balance_threshold AFTER UPDATE OF low_balance_threshold ON organizations
    BEGIN {EDITED}; END""",
    """CREATE TRIGGER organization_summaries_balance_threshold AFTER INSERT ON organization_summaries BEGIN
        UPDATE organization_summaries
        SET balance_threshold = (SELECT low_balance_threshold FROM organizations WHERE id = NEW.organization_id)
        WHERE organization_id = NEW.organization_id;
    END""",
]
TRIGGERS = {
    "organizations_balance_threshold": "organizations",
    "organization_summaries_balance_threshold": TABLE,
}
INDEXED = ("sort_name", "organization_id", "checked_at", "runs_out_on")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column(TABLE, sa.Column("balance_threshold", webapp.models.types.Money(precision=18, scale=8), nullable=True))
    computed = sa.Computed(STATUS_FIXED_SQL, persisted=True if postgresql else None)
    op.add_column(TABLE, sa.Column("status_fixed", sa.SmallInteger(), computed, nullable=True))
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)
    op.execute(
        f"UPDATE {TABLE} SET balance_threshold = "
        f"(SELECT low_balance_threshold FROM organizations WHERE organizations.id = {TABLE}.organization_id)"
    )
    descending = "status_fixed DESC NULLS LAST" if postgresql else "status_fixed DESC"
    op.create_index("ix_organization_summaries_status_fixed_sort", TABLE, ["status_fixed", *INDEXED])
    op.create_index("ix_organization_summaries_status_fixed_sort_desc", TABLE, [sa.text(descending), *INDEXED])


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_organization_summaries_status_fixed_sort_desc", table_name=TABLE)
    op.drop_index("ix_organization_summaries_status_fixed_sort", table_name=TABLE)
    op.drop_column(TABLE, "status_fixed")  # SQLite ≥ 3.35 drops a column in place
    op.drop_column(TABLE, "balance_threshold")
