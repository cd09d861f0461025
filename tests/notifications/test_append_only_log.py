"""Webhook events and attempts are append-only like the snapshots: the ORM refuses changes, and on PostgreSQL
triggers refuse UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from tests.notifications.helpers import delivery_of, endpoint_for
from tests.notifications.receivers import free_port
from webapp.database import AppendOnlyViolation
from webapp.extensions import db
from webapp.models import WebhookAttempt, WebhookEvent
from webapp.notifications import enqueue_event


@pytest.fixture
def logged(notify_app):
    endpoint, _ = endpoint_for(f"http://127.0.0.1:{free_port()}/hook")
    event = enqueue_event(db.session(), endpoint.organization_id, "test", {})
    event_id = event.id
    db.session.commit()  # one failed attempt logged
    return event_id, delivery_of(event_id)


@pytest.mark.parametrize("model", [WebhookEvent, WebhookAttempt])
def test_orm_refuses_to_change_the_log(logged, model):
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(update(model).values(id=model.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(delete(model))
    event = db.session.get(WebhookEvent, logged[0])
    event.body = "{}"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE webhook_events SET body = '{}'",
        "DELETE FROM webhook_events",
        "TRUNCATE webhook_events CASCADE",
        "UPDATE webhook_attempts SET error = NULL",
        "DELETE FROM webhook_attempts",
        "TRUNCATE webhook_attempts",
    ],
)
def test_postgresql_triggers_refuse_changes(logged, backend, statement):
    if backend != "postgresql":
        pytest.skip("triggers exist on PostgreSQL only")
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    nested.rollback()
    assert db.session.get(WebhookEvent, logged[0]) is not None
