"""Spend per operator on the daily figures (organization_daily_figures.spend_by_operator), beside spend per
service, so an anomaly episode names its top operators by excess (SPEC §9, issue 14 §3).

Existing rows get {} (no operator known): `flask summaries rebuild` derives them from the ledger; until then an
episode's operator drivers compare against days without operators (docs/data-model.md).

Revision ID: 0020_daily_operators
Revises: 0019_summary_name_search
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0020_daily_operators"
down_revision = "0019_summary_name_search"
branch_labels = None
depends_on = None


def upgrade():
    document = sa.JSON().with_variant(JSONB(), "postgresql")
    column = sa.Column("spend_by_operator", document, nullable=False, server_default=sa.text("'{}'"))
    op.add_column("organization_daily_figures", column)  # a constant default: no table rewrite, SQLite too


def downgrade():
    op.drop_column("organization_daily_figures", "spend_by_operator")
