"""Portfolio cost sort: "Cost this month" walks an index, as the figure sorts of 0013 do.

The key is the stored month-to-date total where the stored month is this month (NULL otherwise), so the
index leads with the month: (mtd_year, mtd_month, mtd_total, sort_name, organization_id), ascending and
descending (NULLs last; plain DESC on SQLite, the same order there). This month's rows are walked in the
key's order and the walk stops after the page; the others (no cost this month yet) come after, by name.
They replace the single-column index on mtd_total, which nothing reads any more.

Revision ID: 0014_portfolio_cost_sort
Revises: 0013_portfolio_sort_keys
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_portfolio_cost_sort"
down_revision = "0013_portfolio_sort_keys"
branch_labels = None
depends_on = None

TABLE = "organization_summaries"


def upgrade():
    descending = "mtd_total DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "mtd_total DESC"
    op.create_index(
        "ix_organization_summaries_mtd_total_sort",
        TABLE,
        ["mtd_year", "mtd_month", "mtd_total", "sort_name", "organization_id"],
    )
    op.create_index(
        "ix_organization_summaries_mtd_total_sort_desc",
        TABLE,
        ["mtd_year", "mtd_month", sa.text(descending), "sort_name", "organization_id"],
    )
    op.drop_index("ix_organization_summaries_mtd_total", table_name=TABLE)


def downgrade():
    op.create_index("ix_organization_summaries_mtd_total", TABLE, ["mtd_total"])
    op.drop_index("ix_organization_summaries_mtd_total_sort_desc", table_name=TABLE)
    op.drop_index("ix_organization_summaries_mtd_total_sort", table_name=TABLE)
