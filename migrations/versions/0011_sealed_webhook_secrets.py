"""Sealed webhook secrets: each endpoint's signing secret stored sealed under WEBHOOK_SECRETS_KEYS (Fernet)
instead of as issued (webapp/notifications/sealing.py), so a copy of the database alone cannot sign.

Seals the secrets stored as issued (they start with "whsec_"); the downgrade opens them again. Both need
the keys the processes use: on PostgreSQL, with secrets to seal, WEBHOOK_SECRETS_KEYS must be set in the
environment of this command (a shell without it would seal with a development key the workers lack).

Revision ID: 0011_sealed_webhook_secrets
Revises: 0010_portfolio_order
Create Date: 2026-11-30
"""
import os

import click
import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

revision = "0011_sealed_webhook_secrets"
down_revision = "0010_portfolio_order"
branch_labels = None
depends_on = None

endpoints = sa.table("webhook_endpoints", sa.column("id", sa.Integer), sa.column("secret", sa.String))


def _box() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in current_app.config["WEBHOOK_SECRETS_KEYS"]])


def _rows(plain: bool) -> list:
    rows = op.get_bind().execute(sa.select(endpoints.c.id, endpoints.c.secret)).all()
    return [(endpoint_id, secret) for endpoint_id, secret in rows if secret.startswith("whsec_") == plain]


def _store(endpoint_id: int, secret: str) -> None:
    op.get_bind().execute(endpoints.update().where(endpoints.c.id == endpoint_id).values(secret=secret))


def upgrade():
    rows = _rows(plain=True)
    if rows and op.get_bind().dialect.name != "sqlite" and not os.environ.get("WEBHOOK_SECRETS_KEYS"):
        raise click.ClickException(
            f"{len(rows)} webhook secret(s) to seal: set WEBHOOK_SECRETS_KEYS to the value the processes use "
            "for this command too (docs/deployment.md); nothing was changed."
        )
    box = _box()
    for endpoint_id, secret in rows:
        _store(endpoint_id, box.encrypt(secret.encode()).decode())


def downgrade():
    box = _box()
    for endpoint_id, sealed in _rows(plain=False):
        try:
            _store(endpoint_id, box.decrypt(sealed.encode()).decode())
        except InvalidToken:
            raise click.ClickException(
                f"the secret of webhook endpoint {endpoint_id} cannot be opened with WEBHOOK_SECRETS_KEYS "
                "(the key it was sealed with is not listed); nothing was changed."
            ) from None
