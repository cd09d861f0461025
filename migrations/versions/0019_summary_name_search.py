"""Search on the summaries: a trigram index on organization_summaries.sort_name (lower(organizations.name), kept
by triggers since 0013), so the header of a search aggregates the summaries whose name contains the text, read
through this index, instead of joining the matching organisations to every summary (on 10,000 organisations
and 637 matches: 0.8 ms instead of 2.4 ms in psql; docs/performance.md). PostgreSQL only (pg_trgm, created by
0017); SQLite (embedded) reads every summary, as before.

Revision ID: 0019_summary_name_search
Revises: 0018_portfolio_header_index
Create Date: 2026-11-30
"""

from alembic import op

revision = "0019_summary_name_search"
down_revision = "0018_portfolio_header_index"
branch_labels = None
depends_on = None

INDEX = "ix_organization_summaries_sort_name_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # 0017 created it; harmless where it exists
    op.execute(f"CREATE INDEX {INDEX} ON organization_summaries USING gin (sort_name gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {INDEX}")
