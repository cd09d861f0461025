"""Spend anomaly episodes: spend_anomalies (one row per organisation, scope and first anomalous day; kept
by collection, updated in place as an episode grows and closes, marked by managers).

Revision ID: 0008_anomalies
Revises: 0007_alerts
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import webapp.models.types

revision = "0008_anomalies"
down_revision = "0007_alerts"
branch_labels = None
depends_on = None

UTCDateTime = webapp.models.types.UTCDateTime
Money = webapp.models.types.Money
JSONDocument = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "spend_anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("days", sa.SmallInteger(), nullable=False),
        sa.Column("expected", Money(precision=18, scale=8), nullable=False),
        sa.Column("actual", Money(precision=18, scale=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("top_services", JSONDocument, nullable=False),
        sa.Column("top_operators", JSONDocument, nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("mark", sa.String(length=10), nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_spend_anomalies_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["marked_by_id"], ["users.id"], name=op.f("fk_spend_anomalies_marked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_anomalies")),
        sa.UniqueConstraint("organization_id", "scope", "opened_on", name="uq_spend_anomalies_episode"),
    )
    op.create_index("ix_spend_anomalies_open", "spend_anomalies", ["organization_id", "status"], unique=False)


def downgrade():
    op.drop_index("ix_spend_anomalies_open", table_name="spend_anomalies")
    op.drop_table("spend_anomalies")
