"""With Redis: the commit enqueues the delivery as an RQ job, a worker makes the attempt, and the database —
not Redis — knows what is undelivered: after a FLUSHDB mid-delivery the sweep enqueues it again and the
receiver gets the same webhook-id."""

from __future__ import annotations

import pytest
from redis import Redis

from jobs.deliver import sweep
from jobs.scheduler import Scheduler
from jobs.worker import AppSimpleWorker, build_worker
from tests.notifications.helpers import attempts_of, delivery_of, endpoint_for, make_due
from tests.notifications.receivers import Receiver, Reply
from webapp.extensions import db
from webapp.notifications import enqueue_event
from webapp.notifications.queue import notifications_queue


@pytest.fixture
def queued(notify_app, redis_url):
    notify_app.config["REDIS_URL"] = redis_url
    connection = Redis.from_url(redis_url)
    try:
        yield notify_app, connection
    finally:
        notify_app.config["REDIS_URL"] = None
        connection.close()


def work(app, connection) -> None:
    build_worker(app, AppSimpleWorker, connection).work(burst=True, with_scheduler=False)


def test_redis_flushed_mid_delivery_the_sweep_resends_with_the_same_webhook_id(queued):
    app, connection = queued
    with Receiver(Reply(500), Reply(200)) as receiver:
        endpoint, _ = endpoint_for(receiver.url)
        event_id = enqueue_event(db.session(), endpoint.organization_id, "balance.overdrawn.triggered", {}).id
        db.session.commit()
        queue = notifications_queue(connection)
        assert queue.job_ids and receiver.requests == []  # queued, not sent by the request
        work(app, connection)
        delivery = delivery_of(event_id)
        assert delivery.status == "pending" and len(receiver.requests) == 1
        assert queue.scheduled_job_registry.get_job_ids()  # the retry waits in Redis …
        connection.flushdb()  # … and Redis loses it
        make_due(delivery.id)
        with app.app_context():
            assert sweep() == {"due": 1, "enqueued": 1}
            assert sweep() == {"due": 1, "enqueued": 0}  # already queued: not twice
        work(app, connection)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event_id
    delivery = delivery_of(event_id)
    assert delivery.status == "delivered" and [a.status_code for a in attempts_of(delivery)] == [500, 200]
    with app.app_context():
        assert sweep() == {"due": 0, "enqueued": 0}


def test_the_scheduler_enqueues_one_sweep_a_minute(queued):
    app, connection = queued
    first, second = Scheduler(app, connection), Scheduler(app, connection)
    first.tick()
    second.tick()  # a standby: enqueues nothing
    sweeps = [job for job in notifications_queue(connection).job_ids if job.startswith("sweep_")]
    assert len(sweeps) == 1
    work(app, connection)  # the sweep runs on a worker: nothing is due
    assert notifications_queue(connection).job_ids == []
