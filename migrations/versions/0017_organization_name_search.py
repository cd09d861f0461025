"""Organisation name search: a trigram index on lower(name) (PostgreSQL's pg_trgm), so the portfolio's search
(`lower(name) LIKE '%…%'`, in its header and its rows) reads the names that contain the text rather than all of
them. SQLite (embedded) has no such index and reads every name, as before.

Revision ID: 0017_organization_name_search
Revises: 0016_portfolio_status_sort
Create Date: 2026-11-30
"""

from alembic import op

revision = "0017_organization_name_search"
down_revision = "0016_portfolio_status_sort"
branch_labels = None
depends_on = None

INDEX = "ix_organizations_lower_name_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm ships with PostgreSQL and is a trusted extension (13+): the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX {INDEX} ON organizations USING gin (lower(name) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {INDEX}")  # the extension stays: other objects may use it
