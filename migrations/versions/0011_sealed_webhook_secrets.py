"""Sealed webhook secrets: each endpoint's signing secret stored sealed under WEBHOOK_SECRETS_KEYS (Fernet)
instead of as issued (webapp/notifications/sealing.py), so a copy of the database alone cannot sign.

Seals the secrets stored as issued (they start with "whsec_"); the downgrade opens them again. Both need
the keys the app is configured with.

Revision ID: 0011_sealed_webhook_secrets
Revises: 0010_portfolio_order
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app

revision = "0011_sealed_webhook_secrets"
down_revision = "0010_portfolio_order"
branch_labels = None
depends_on = None

endpoints = sa.table("webhook_endpoints", sa.column("id", sa.Integer), sa.column("secret", sa.String))


def _box() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in current_app.config["WEBHOOK_SECRETS_KEYS"]])


def _rewrite(change, plain: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(endpoints.c.id, endpoints.c.secret)).all()
    for endpoint_id, secret in rows:
        if secret.startswith("whsec_") == plain:
            connection.execute(endpoints.update().where(endpoints.c.id == endpoint_id).values(secret=change(secret)))


def upgrade():
    box = _box()
    _rewrite(lambda secret: box.encrypt(secret.encode()).decode(), plain=True)


def downgrade():
    box = _box()
    _rewrite(lambda sealed: box.decrypt(sealed.encode()).decode(), plain=False)
