"""Portfolio order: an index on (lower(name), id) for the portfolio's default order and its tie-breaker.

Sorted by name (the portfolio as it opens), the first page was a sort of every visible organisation
(39 ms of 10,000 on PostgreSQL); with this index it is an index scan that stops after the page (1.5 ms).

Revision ID: 0010_portfolio_order
Revises: 0009_forecast
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_portfolio_order"
down_revision = "0009_forecast"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_organizations_lower_name_id", "organizations", [sa.text("lower(name)"), "id"], unique=False)


def downgrade():
    op.drop_index("ix_organizations_lower_name_id", table_name="organizations")
