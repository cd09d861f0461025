"""Webhook signing secrets at rest: sealed with Fernet (`cryptography`: AES-128-CBC with an HMAC-SHA256,
a random IV per seal) under WEBHOOK_SECRETS_KEYS, so a copy of the database alone cannot sign a tenant's
webhooks. The first key seals; every key opens, so keys rotate by putting a new one first (docs/deployment.md).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import WebhookEndpoint

PLAIN_PREFIX = "whsec_"  # a secret as issued (Standard Webhooks); a Fernet token starts "gAAAAA"


class SecretUnreadable(RuntimeError):
    """The stored secret was sealed with a key WEBHOOK_SECRETS_KEYS no longer holds."""


@lru_cache(maxsize=8)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current_box() -> MultiFernet:
    return _box(tuple(current_app.config["WEBHOOK_SECRETS_KEYS"]))


def seal(secret: str) -> str:
    return _current_box().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    if sealed.startswith(PLAIN_PREFIX):  # stored before migration 0011 and not yet sealed by it: as issued
        return sealed
    try:
        return _current_box().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "the endpoint's signing secret cannot be opened: WEBHOOK_SECRETS_KEYS lacks the key it was sealed with"
        ) from None


def reseal_all() -> tuple[int, list[int]]:
    """Seal every endpoint's secret again with the first key (after a rotation; also seals any still stored
    as issued): (resealed, ids of those no listed key opens). The caller commits."""
    resealed, unreadable = 0, []
    for endpoint in db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
        try:
            endpoint.sealed_secret = seal(unseal(endpoint.sealed_secret))
        except SecretUnreadable:
            unreadable.append(endpoint.id)
            continue
        resealed += 1
    return resealed, unreadable
