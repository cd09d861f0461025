"""Webhook signing secrets are stored sealed (WEBHOOK_SECRETS_KEYS, Fernet): the database never holds one as
issued, deliveries still verify with it, keys rotate by putting a new one first, and a secret sealed with a
key that is gone makes a logged, retried delivery failure, not a crash. Migration 0011 seals the secrets
stored before it (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
from datetime import timedelta

import click
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from standardwebhooks import Webhook

from tests.conftest import make_test_app
from tests.factories import make_org
from tests.notifications.helpers import attempts_of, delivery_of, endpoint_for
from tests.notifications.receivers import Receiver
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.notifications import enqueue_event
from webapp.notifications.sealing import SecretUnreadable, seal, unseal

OTHER_KEY = base64.urlsafe_b64encode(b"another key, 32 bytes long .....").decode()


def stored_secret(endpoint_id: int) -> str:
    return db.session.execute(
        text("SELECT secret FROM webhook_endpoints WHERE id = :id"), {"id": endpoint_id}
    ).scalar_one()


def test_the_database_holds_the_secret_sealed_and_deliveries_verify_with_the_issued_one(notify_app):
    with Receiver() as receiver:
        endpoint, secret = endpoint_for(receiver.url)
        stored = stored_secret(endpoint.id)
        assert secret.startswith("whsec_") and secret not in stored and secret[6:] not in stored
        assert stored.startswith("gAAAAA") and unseal(stored) == secret
        enqueue_event(db.session(), endpoint.organization_id, "test", {"message": "hello"})
        db.session.commit()  # no Redis: this commit delivers it
    [request] = receiver.requests
    assert Webhook(secret).verify(request.body, request.headers)["data"] == {"message": "hello"}


def test_keys_rotate_by_putting_a_new_one_first(notify_app):
    old_keys = tuple(notify_app.config["WEBHOOK_SECRETS_KEYS"])
    sealed_before = seal("whsec_before")
    notify_app.config["WEBHOOK_SECRETS_KEYS"] = (OTHER_KEY, *old_keys)
    try:
        assert unseal(sealed_before) == "whsec_before"  # the old key still opens what it sealed
        sealed_after = seal("whsec_after")
        notify_app.config["WEBHOOK_SECRETS_KEYS"] = (OTHER_KEY,)
        assert unseal(sealed_after) == "whsec_after"  # sealed with the new key alone
        with pytest.raises(SecretUnreadable, match="WEBHOOK_SECRETS_KEYS"):
            unseal(sealed_before)
    finally:
        notify_app.config["WEBHOOK_SECRETS_KEYS"] = old_keys


def test_a_secret_no_key_opens_is_a_logged_failed_attempt_retried_later(notify_app):
    """Our fault, not the receiver's: retried on the schedule, and never held against the endpoint (an
    endpoint failing for 5 days is disabled; this one had been failing for 6 and stays active)."""
    old_keys = tuple(notify_app.config["WEBHOOK_SECRETS_KEYS"])
    with Receiver() as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        long_failing = utcnow() - timedelta(days=6)
        endpoint.failing_since = long_failing
        db.session.commit()
        notify_app.config["WEBHOOK_SECRETS_KEYS"] = (OTHER_KEY,)  # the key it was sealed with is gone
        try:
            event = enqueue_event(db.session(), endpoint.organization_id, "test", {"message": "hello"})
            event_id = event.id
            db.session.commit()
        finally:
            notify_app.config["WEBHOOK_SECRETS_KEYS"] = old_keys
    assert receiver.requests == []  # nothing unsigned or wrongly signed went out
    delivery = delivery_of(event_id)
    [attempt] = attempts_of(delivery)
    assert delivery.status == "pending" and attempt.status_code is None and delivery.next_attempt_at is not None
    assert "signing secret cannot be opened" in attempt.error and "WEBHOOK_SECRETS_KEYS" in attempt.error
    db.session.refresh(endpoint)
    assert endpoint.disabled_at is None and endpoint.failing_since == long_failing


def test_a_secret_stored_before_the_migration_still_signs(notify_app):
    """New code may run before migration 0011 has sealed the old rows (a rolling deploy)."""
    with Receiver() as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        plain = "whsec_" + base64.b64encode(b"stored as issued by an older version").decode()
        db.session.execute(
            text("UPDATE webhook_endpoints SET secret = :s WHERE id = :id"), {"s": plain, "id": endpoint.id}
        )
        db.session.commit()
        enqueue_event(db.session(), endpoint.organization_id, "test", {"message": "old row"})
        db.session.commit()
    [request] = receiver.requests
    assert Webhook(plain).verify(request.body, request.headers)["data"] == {"message": "old row"}


def test_migration_0011_seals_the_secrets_stored_as_issued_and_the_downgrade_opens_them(
    unmigrated_database_url, tmp_path, monkeypatch
):
    """On PostgreSQL (a deployment) the migration refuses to seal unless WEBHOOK_SECRETS_KEYS is set for the
    command, so a shell without it cannot seal with a development key; SQLite (the embedded default) seals
    with the configured key. A secret no key opens stops the downgrade with a message naming it."""
    monkeypatch.delenv("WEBHOOK_SECRETS_KEYS", raising=False)
    app = make_test_app(unmigrated_database_url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0010_portfolio_order")
        org = make_org()
        db.session.commit()
        insert = "INSERT INTO webhook_endpoints (organization_id, url, secret, created_at) VALUES (:org, :url, :s, :at)"
        for n in (1, 2):
            parameters = {
                "org": org.id,
                "url": f"https://hooks.example/{n}",
                "s": f"whsec_plain{n}",
                "at": "2026-11-30",
            }
            db.session.execute(text(insert), parameters)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(click.ClickException, match=r"2 webhook secret.*set WEBHOOK_SECRETS_KEYS"):
                upgrade()
            db.session.rollback()
            assert (
                db.session.execute(text("SELECT count(*) FROM webhook_endpoints WHERE secret LIKE 'whsec_%'")).scalar()
                == 2
            )
            monkeypatch.setenv("WEBHOOK_SECRETS_KEYS", ",".join(app.config["WEBHOOK_SECRETS_KEYS"]))
        upgrade()
        stored = db.session.execute(text("SELECT secret FROM webhook_endpoints ORDER BY id")).scalars().all()
        assert all(value.startswith("gAAAAA") for value in stored)
        assert [unseal(value) for value in stored] == ["whsec_plain1", "whsec_plain2"]
        db.session.commit()
        keys = app.config["WEBHOOK_SECRETS_KEYS"]
        app.config["WEBHOOK_SECRETS_KEYS"] = (OTHER_KEY,)
        with pytest.raises(click.ClickException, match="endpoint 1 cannot be opened"):
            downgrade(revision="0010_portfolio_order")
        db.session.rollback()
        app.config["WEBHOOK_SECRETS_KEYS"] = keys
        downgrade(revision="0010_portfolio_order")
        opened = db.session.execute(text("SELECT secret FROM webhook_endpoints ORDER BY id")).scalars().all()
        assert opened == ["whsec_plain1", "whsec_plain2"]
        db.session.remove()
        db.engine.dispose()
