"""The scheduled alert run (SPEC §10): stale data found without a collection, due digests stored once per user
and day; run every 15 minutes by the RQ scheduler (one job per slot, however many schedulers) or, without
Redis, by the in-process collector."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select

from tests.factories import make_org, make_user
from tests.helpers import queued_by_two_schedulers
from webapp.alerts.scheduled import scheduled_run
from webapp.collection.in_process import BackgroundCollector
from webapp.collection.lease import FileLease, PostgresLease
from webapp.extensions import db
from webapp.models import AlertEvent, MailMessage
from webapp.models.types import utcnow


def digests() -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(MailMessage.idempotency_key).where(MailMessage.idempotency_key.like("digest:%")))
    )


def test_stale_data_fires_once_and_the_digest_is_stored_once(notify_app):
    org = make_org()
    manager = make_user(organizations=[org])
    db.session.commit()
    now = utcnow()
    assert scheduled_run(now) == {"transitions": 1, "digests_queued": 1, "digests_already_sent": 0}
    assert scheduled_run(now + timedelta(minutes=15)) == {
        "transitions": 0,
        "digests_queued": 0,
        "digests_already_sent": 1,
    }
    rules = db.session.scalars(select(AlertEvent.rule).where(AlertEvent.organization_id == org.id)).all()
    assert rules == ["stale"] and len(digests()) == 1 and digests()[0].startswith(f"digest:{manager.id}:")


@pytest.fixture
def lease(notify_app, tmp_path):
    url = notify_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        yield FileLease(str(tmp_path / "db.collector-lock"))
        return
    engine = create_engine(url)
    held = PostgresLease(engine)
    yield held
    held.release()
    engine.dispose()


def test_the_in_process_collector_runs_the_alerts_once_per_slot(notify_app, lease):
    make_user(organizations=[make_org()])
    db.session.commit()
    collector = BackgroundCollector(notify_app, lease)
    now = utcnow()
    collector.tick(now)
    assert len(digests()) == 1
    collector.tick(now + timedelta(seconds=1))
    assert len(digests()) == 1


def test_two_schedulers_queue_one_alert_run_a_slot_and_a_worker_runs_it(notify_app, redis_url):
    make_user(organizations=[make_org()])
    db.session.commit()
    assert len(queued_by_two_schedulers(notify_app, redis_url, "alerts_")) == 1
    assert len(digests()) == 1
