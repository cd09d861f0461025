"""People's time zones: users.time_zone, an IANA name (default UTC) the dashboard shows timestamps in.

Revision ID: 0005_timezones
Revises: 0004_portfolio
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_timezones"
down_revision = "0004_portfolio"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
