"""Read model: organization_summaries and organization_daily_figures, filled from the existing ledger.

The rows are computed by webapp.read_model (pure functions of the ledger) and inserted through
table definitions local to this migration, so later columns added to the models do not break it.

Revision ID: 0003_read_model
Revises: 0002_admin
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import webapp.models.types

revision = "0003_read_model"
down_revision = "0002_admin"
branch_labels = None
depends_on = None

Money = webapp.models.types.Money
UTCDateTime = webapp.models.types.UTCDateTime
JSONDocument = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def summary_columns():
    return [
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("as_of", UTCDateTime(timezone=True), nullable=True),
        sa.Column("balance_amount", Money(precision=18, scale=8), nullable=True),
        sa.Column("balance_currency", sa.String(length=3), nullable=True),
        sa.Column("balance_changed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("failure_streak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failure_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_kind", sa.String(length=20), nullable=True),
        sa.Column("last_failure_reason", sa.Text(), nullable=True),
        sa.Column("mtd_year", sa.SmallInteger(), nullable=True),
        sa.Column("mtd_month", sa.SmallInteger(), nullable=True),
        sa.Column("mtd_total", Money(precision=18, scale=8), nullable=True),
        sa.Column("mtd_currency", sa.String(length=3), nullable=True),
        sa.Column("mtd_collected_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("spend_30d", Money(precision=18, scale=8), nullable=True),
        sa.Column("spend_30d_currency", sa.String(length=3), nullable=True),
    ]


def daily_columns():
    return [
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("closing_balance", Money(precision=18, scale=8), nullable=True),
        sa.Column("balance_currency", sa.String(length=3), nullable=True),
        sa.Column("top_ups", Money(precision=18, scale=8), nullable=False),
        sa.Column("spend", Money(precision=18, scale=8), nullable=False),
        sa.Column("spend_currency", sa.String(length=3), nullable=True),
        sa.Column("spend_by_service", JSONDocument, nullable=False),
    ]


def upgrade():
    op.create_table(
        "organization_summaries",
        *summary_columns(),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_organization_summaries_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_summaries")),
    )
    for column in ("balance_amount", "mtd_total", "spend_30d", "checked_at"):
        op.create_index(f"ix_organization_summaries_{column}", "organization_summaries", [column], unique=False)
    op.create_table(
        "organization_daily_figures",
        *daily_columns(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_daily_figures_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "day", name=op.f("pk_organization_daily_figures")),
    )
    fill_from_ledger()


def fill_from_ledger():
    from webapp.read_model.store import derived_rows, load_ledger

    bind = op.get_bind()
    summaries = sa.table("organization_summaries", *summary_columns())
    daily = sa.table("organization_daily_figures", *daily_columns())
    for organization_id in bind.execute(sa.text("SELECT id FROM organizations ORDER BY id")).scalars().all():
        summary, days = derived_rows(organization_id, load_ledger(bind, organization_id))
        bind.execute(summaries.insert(), [summary])
        if days:
            bind.execute(daily.insert(), days)


def downgrade():
    op.drop_table("organization_daily_figures")
    for column in ("checked_at", "spend_30d", "mtd_total", "balance_amount"):
        op.drop_index(f"ix_organization_summaries_{column}", table_name="organization_summaries")
    op.drop_table("organization_summaries")
