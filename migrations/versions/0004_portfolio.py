"""Portfolio: the runway's 30-day spend stored on the summary (as of the summary's as_of), filled for existing rows.

The portfolio read it per organisation from the daily figures on every request (issue 12 item 5);
now runway, its sort and the short-runway count are expressions over one summary row. An index on
organizations.name serves the duplicate-name lookup of a page's rows.

Revision ID: 0004_portfolio
Revises: 0003_read_model
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

import webapp.models.types

revision = "0004_portfolio"
down_revision = "0003_read_model"
branch_labels = None
depends_on = None

Money = webapp.models.types.Money


def upgrade():
    with op.batch_alter_table("organization_summaries") as batch:
        batch.add_column(sa.Column("runway_spend", Money(precision=18, scale=8), nullable=True))
        batch.add_column(sa.Column("runway_spend_currency", sa.String(length=3), nullable=True))
    op.create_index("ix_organizations_name", "organizations", ["name"], unique=False)
    fill_from_ledger()


def fill_from_ledger():
    """The new columns of every existing summary, derived from the ledger like any rebuild."""
    from webapp.read_model.store import derived_rows, load_ledger

    bind = op.get_bind()
    summaries = sa.table(
        "organization_summaries",
        sa.column("organization_id", sa.Integer()),
        sa.column("runway_spend", Money(precision=18, scale=8)),
        sa.column("runway_spend_currency", sa.String(length=3)),
    )
    ids = bind.execute(sa.text("SELECT organization_id FROM organization_summaries ORDER BY 1")).scalars().all()
    for organization_id in ids:
        summary, _ = derived_rows(organization_id, load_ledger(bind, organization_id))
        bind.execute(
            summaries.update()
            .where(summaries.c.organization_id == organization_id)
            .values(runway_spend=summary["runway_spend"], runway_spend_currency=summary["runway_spend_currency"])
        )


def downgrade():
    op.drop_index("ix_organizations_name", table_name="organizations")
    with op.batch_alter_table("organization_summaries") as batch:
        batch.drop_column("runway_spend_currency")
        batch.drop_column("runway_spend")
