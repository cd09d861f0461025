"""Alerts: alert_overrides (an organisation's muted rules and runway days), alert_states (one row per organisation and rule, updated in place) and alert_events
(append-only; on PostgreSQL the snapshots' trigger function refuses UPDATE, DELETE and TRUNCATE).

Revision ID: 0007_alerts
Revises: 0006_notifications
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import webapp.models.types

revision = "0007_alerts"
down_revision = "0006_notifications"
branch_labels = None
depends_on = None

UTCDateTime = webapp.models.types.UTCDateTime
JSONDocument = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "alert_states",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("level", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("episode", sa.Integer(), server_default="0", nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", JSONDocument, nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("snoozed_until", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_alert_states_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_alert_states_acknowledged_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "rule", name=op.f("pk_alert_states")),
    )
    op.create_index("ix_alert_states_firing", "alert_states", ["level", "organization_id"], unique=False)
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_alert_events_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        sa.UniqueConstraint("organization_id", "rule", "episode", "kind", "level", name="uq_alert_events_transition"),
    )
    op.create_index("ix_alert_events_occurred", "alert_events", ["occurred_at"], unique=False)
    op.create_index("ix_alert_events_org_occurred", "alert_events", ["organization_id", "occurred_at"], unique=False)
    op.create_table(
        "alert_overrides",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("muted", JSONDocument, nullable=False),
        sa.Column("runway_days", JSONDocument, nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_alert_overrides_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_alert_overrides")),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=20), nullable=False),
        sa.Column("admin_opt_in", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE TRIGGER alert_events_append_only BEFORE UPDATE OR DELETE ON alert_events
            FOR EACH ROW EXECUTE FUNCTION refuse_snapshot_change()
        """)
        op.execute("""
            CREATE TRIGGER alert_events_no_truncate BEFORE TRUNCATE ON alert_events
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_snapshot_change()
        """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS alert_events_append_only ON alert_events")
        op.execute("DROP TRIGGER IF EXISTS alert_events_no_truncate ON alert_events")
    op.drop_table("notification_preferences")
    op.drop_table("alert_overrides")
    op.drop_index("ix_alert_events_org_occurred", table_name="alert_events")
    op.drop_index("ix_alert_events_occurred", table_name="alert_events")
    op.drop_table("alert_events")
    op.drop_index("ix_alert_states_firing", table_name="alert_states")
    op.drop_table("alert_states")
