"""Portfolio header and filters by name: a covering index of what its aggregate reads, in currency order (PostgreSQL's INCLUDE), so the
header is an index-only scan grouped as it goes rather than a pass taking apart every summary row (on 10,000
organisations 3 ms instead of 6–9 ms; docs/performance.md). SQLite (embedded) has no INCLUDE: the index is on the
currency alone there, and the header reads the table as before. And (sort_name, organization_id), so that a
filter's page by name is read from the summaries in name order when many match.

Revision ID: 0018_portfolio_header_index
Revises: 0017_organization_name_search
Create Date: 2026-11-30
"""

from alembic import op

revision = "0018_portfolio_header_index"
down_revision = "0017_organization_name_search"
branch_labels = None
depends_on = None

INDEX = "ix_organization_summaries_header"
INCLUDED = "balance_amount, mtd_year, mtd_month, mtd_currency, mtd_total, status_fixed, checked_at, runs_out_on"


BY_NAME = "ix_organization_summaries_sort_name"


def upgrade():
    include = f" INCLUDE ({INCLUDED})" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f"CREATE INDEX {INDEX} ON organization_summaries (balance_currency){include}")
    op.create_index(BY_NAME, "organization_summaries", ["sort_name", "organization_id"])


def downgrade():
    op.drop_index(BY_NAME, table_name="organization_summaries")
    op.execute(f"DROP INDEX {INDEX}")
