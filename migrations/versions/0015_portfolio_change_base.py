"""Portfolio change sort: "7-day change" walks an index for the organisations whose base is today's.

The key, the balance now minus the closing balance of the UTC day 7 days ago, moves with the day, so it is not
stored as such: the summary stores the base as a fact of its day, `change_base_day` and `change_base_amount` (the
balance at the end of that day, by the rule of webapp.domain.week_change), written with the summary by the
collection write path for the writer's week-ago day and moved to a new day by the daily rebase (`flask summaries
rebase`, scheduled after 00:00 UTC). `change_7d` = balance_amount - change_base_amount is generated (stored on
PostgreSQL, NUMERIC(19, 8) since a difference of two amounts can reach twice their bound; virtual on SQLite), and
indexed behind the day with the tie-breakers, ascending and descending with NULLs last (plain DESC on SQLite):
(change_base_day, change_7d, sort_name, organization_id). The portfolio walks today's base day; the rows whose base
is another day's (not collected or rebased since midnight, or never) are computed as before and merged
(webapp/queries/portfolio_walk.py).

Existing summaries get no base here (the read side computes their key until they have one): `flask summaries
rebase` after the upgrade, or the scheduler's first run, fills them.

Revision ID: 0015_portfolio_change_base
Revises: 0014_portfolio_cost_sort
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

import webapp.models.types

revision = "0015_portfolio_change_base"
down_revision = "0014_portfolio_cost_sort"
branch_labels = None
depends_on = None

TABLE = "organization_summaries"
CHANGE_7D_SQL = "balance_amount - change_base_amount"


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column(TABLE, sa.Column("change_base_day", sa.Date(), nullable=True))
    op.add_column(TABLE, sa.Column("change_base_amount", webapp.models.types.Money(), nullable=True))
    # Stored on PostgreSQL; SQLite cannot add a STORED column to a table, so there it is VIRTUAL (as 0013).
    computed = sa.Computed(CHANGE_7D_SQL, persisted=True if postgresql else None)
    op.add_column(TABLE, sa.Column("change_7d", webapp.models.types.MoneyDifference(), computed, nullable=True))
    descending = "change_7d DESC NULLS LAST" if postgresql else "change_7d DESC"
    columns = ["change_base_day", "change_7d", "sort_name", "organization_id"]
    op.create_index("ix_organization_summaries_change_7d_sort", TABLE, columns)
    op.create_index(
        "ix_organization_summaries_change_7d_sort_desc",
        TABLE,
        ["change_base_day", sa.text(descending), "sort_name", "organization_id"],
    )


def downgrade():
    op.drop_index("ix_organization_summaries_change_7d_sort_desc", table_name=TABLE)
    op.drop_index("ix_organization_summaries_change_7d_sort", table_name=TABLE)
    op.drop_column(TABLE, "change_7d")  # SQLite ≥ 3.35 drops a column in place
    op.drop_column(TABLE, "change_base_amount")
    op.drop_column(TABLE, "change_base_day")
