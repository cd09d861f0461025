"""Forecast: the depletion forecast stored on the summary (issue 14), filled for existing rows.

When the balance reaches zero (expected day and 80 % band), the forecast's as_of, method, history and
status/reason; an index on runs_out_on serves the portfolio's "Runs out" sort and its 14-day filter.

Revision ID: 0009_forecast
Revises: 0008_anomalies
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_forecast"
down_revision = "0008_anomalies"
branch_labels = None
depends_on = None

COLUMNS = (
    ("forecast_as_of", sa.Date()),
    ("forecast_method", sa.String(length=40)),
    ("forecast_history_days", sa.SmallInteger()),
    ("forecast_status", sa.String(length=20)),
    ("forecast_reason", sa.Text()),
    ("runs_out_on", sa.Date()),
    ("runs_out_earliest", sa.Date()),
    ("runs_out_latest", sa.Date()),
)


def upgrade():
    with op.batch_alter_table("organization_summaries") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index("ix_organization_summaries_runs_out_on", "organization_summaries", ["runs_out_on"], unique=False)
    fill_from_ledger()


def fill_from_ledger():
    """The new columns of every existing summary, derived from the ledger like any rebuild."""
    from webapp.read_model.store import derived_rows, load_ledger

    bind = op.get_bind()
    summaries = sa.table(
        "organization_summaries",
        sa.column("organization_id", sa.Integer()),
        *(sa.column(name, kind) for name, kind in COLUMNS),
    )
    ids = bind.execute(sa.text("SELECT organization_id FROM organization_summaries ORDER BY 1")).scalars().all()
    for organization_id in ids:
        summary, _ = derived_rows(organization_id, load_ledger(bind, organization_id))
        bind.execute(
            summaries.update()
            .where(summaries.c.organization_id == organization_id)
            .values({name: summary[name] for name, _ in COLUMNS})
        )


def downgrade():
    op.drop_index("ix_organization_summaries_runs_out_on", table_name="organization_summaries")
    with op.batch_alter_table("organization_summaries") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
