"""Portfolio header: a covering index of what its aggregate reads, in currency order (PostgreSQL's INCLUDE), so the
header is an index-only scan grouped as it goes rather than a pass taking apart every summary row (on 10,000
organisations 3 ms instead of 6–9 ms; docs/performance.md). SQLite (embedded) has no INCLUDE: the index is on the
currency alone there, and the header reads the table as before.

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


def upgrade():
    include = f" INCLUDE ({INCLUDED})" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f"CREATE INDEX {INDEX} ON organization_summaries (balance_currency){include}")


def downgrade():
    op.execute(f"DROP INDEX {INDEX}")
