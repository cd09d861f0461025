"""The RQ side in one process: dispatch fan-out, deterministic ids, dedup, the database as judge, collect now."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from redis import Redis
from sqlalchemy import func, select

from jobs.collect import CollectionFailed, collect_balance, collect_costs, dispatch
from jobs.schedule import current_slot, months_for
from jobs.scheduler import Scheduler
from jobs.worker import AppSimpleWorker, build_worker
from tests.factories import make_org
from webapp.collection.collect_now import collect_now
from webapp.collection.queue import collection_queue, job_id, slot_key, slot_start
from webapp.collection.state import record_check
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionRun, CollectionState, CostSnapshot
from webapp.models.collection import CollectionKind
from webapp.models.types import utcnow
from webapp.providers.fake_server import FakeProvider, Faults, running

pytestmark = pytest.mark.redis
TOKEN = "job-test-token-9f8e7d"
FROZEN = datetime(2026, 3, 17, 14, 30, tzinfo=UTC)  # the fake provider answers as of this moment


@pytest.fixture
def stack(app, redis_url):
    """The app wired to real Redis and the fake provider (frozen simulation, bearer token)."""
    fake = FakeProvider(TOKEN, Faults(frozen_at=FROZEN.isoformat()))
    with running(fake) as url:
        app.config.update(REDIS_URL=redis_url, PROVIDER="http", PROVIDER_URL=url, PROVIDER_TOKEN=TOKEN)
        connection = Redis.from_url(redis_url)
        try:
            yield app, fake, connection
        finally:
            app.config.update(REDIS_URL=None, PROVIDER="demo", PROVIDER_URL=None, PROVIDER_TOKEN=None)
            connection.close()


def work(app, connection) -> None:
    build_worker(app, AppSimpleWorker, connection).work(burst=True, with_scheduler=False)


def counts(model) -> dict[int, int]:
    rows = db.session.execute(select(model.organization_id, func.count()).group_by(model.organization_id)).all()
    return dict(rows)


def test_schedule_slots_and_months():
    assert current_slot(datetime(2026, 5, 3, 4, 59, tzinfo=UTC), 3 * 3600) == "20260503T030000Z"
    assert months_for(datetime(2026, 5, 5, 23, tzinfo=UTC)) == ["2026-04", "2026-05"]
    assert months_for(datetime(2026, 5, 6, tzinfo=UTC)) == ["2026-05"]
    assert months_for(datetime(2026, 1, 2, tzinfo=UTC)) == ["2025-12", "2026-01"]


def test_dispatch_fans_out_per_organisation_with_deterministic_unique_ids(stack):
    app, _fake, connection = stack
    orgs = [make_org() for _ in range(3)]
    idle = make_org(active=False)
    db.session.commit()
    slot = current_slot(utcnow(), 3600)
    queue = collection_queue(connection)
    assert dispatch("balances", slot)["organizations"] == 3
    assert dispatch("balances", slot)["organizations"] == 3  # a second scheduler firing: refused by job id
    assert sorted(queue.job_ids) == sorted(job_id("balances", org.id, slot) for org in orgs)
    job = queue.fetch_job(job_id("balances", orgs[0].id, slot))
    assert job.args == [orgs[0].id, slot] and job.timeout == 300 and job.retries_left == 3
    work(app, connection)
    assert counts(BalanceSnapshot) == {org.id: 1 for org in orgs} and idle.id not in counts(CollectionState)
    assert dispatch("balances", slot)["organizations"] == 0  # the database says this slot is done


def test_costs_are_written_once_per_organisation_month_and_slot(stack):
    _app, _fake, _connection = stack
    org = make_org(provider_account_ref="costly-1")
    db.session.commit()
    slot, month = current_slot(utcnow(), 3600), "2026-03"
    collect_costs(org.id, slot, month)
    collect_costs(org.id, slot, month)  # a duplicate job (say, after Redis lost its dedup key)
    assert counts(CostSnapshot) == {org.id: 1}
    runs = db.session.scalars(select(CollectionRun).where(CollectionRun.kind == "costs")).all()
    assert [(r.written, r.unchanged) for r in runs] == [(1, 0), (0, 1)]
    later = slot_key(slot_start(utcnow(), 3600).replace(year=2099))
    collect_costs(org.id, later, month)  # the next slot writes its own snapshot
    assert counts(CostSnapshot) == {org.id: 2}


def test_a_failing_organisation_fails_its_job_only(stack):
    app, fake, connection = stack
    good, bad = make_org(provider_account_ref="good-a"), make_org(provider_account_ref="bad-a")
    db.session.commit()
    fake.set_faults(failing_refs={"bad-a": 404})
    slot = current_slot(utcnow(), 3600)
    dispatch("balances", slot)
    work(app, connection)
    queue = collection_queue(connection)
    bad_job = queue.fetch_job(job_id("balances", bad.id, slot))
    assert bad_job.get_status() == "scheduled" and bad_job.retries_left == 2  # retried later, with backoff
    assert queue.fetch_job(job_id("balances", good.id, slot)).get_status() == "finished"
    assert counts(BalanceSnapshot) == {good.id: 1}
    state = db.session.get(CollectionState, (bad.id, "balances"))
    assert state.consecutive_failures == 1 and "HTTP 404" in state.last_error
    with pytest.raises(CollectionFailed):
        collect_costs(bad.id, slot, "2026-03")


def test_job_logs_are_structured_and_never_hold_the_token(stack, caplog):
    app, fake, connection = stack
    org = make_org(provider_account_ref="log-a")
    db.session.commit()
    fake.set_faults(failing_refs={"log-a": 401})
    caplog.set_level(logging.DEBUG)
    dispatch("balances", "20260101T000000Z")  # never the minute slot collect_now uses below
    work(app, connection)
    fake.set_faults(failing_refs={})
    collect_now(org.id)
    work(app, connection)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "jobs.collect"]
    jobs = [e for e in events if e["event"] == "collection_job"]
    assert {e["outcome"] for e in jobs} >= {"failed", "written"}
    assert all({"run_id", "org_id", "outcome", "duration_ms"} <= e.keys() and e["org_id"] == org.id for e in jobs)
    assert TOKEN not in caplog.text


def test_collect_now_queues_with_redis_and_runs_inline_without(stack):
    app, _fake, connection = stack
    org = make_org()
    db.session.commit()
    minute = slot_start(utcnow(), 60)
    queued, again = collect_now(org.id), collect_now(org.id)
    assert queued.mode == "queued" and len(queued.job_ids) >= 2 and queued.run_ids == []
    if slot_start(utcnow(), 60) == minute:  # (unless the clock just crossed into the next minute)
        assert again.job_ids == queued.job_ids  # a double click within the minute: the same jobs, queued once
        assert len(collection_queue(connection)) == len(queued.job_ids)
    work(app, connection)
    assert counts(BalanceSnapshot) == {org.id: 1}
    app.config["REDIS_URL"] = None
    inline = collect_now(org.id)
    assert inline.mode == "inline" and len(inline.run_ids) == 2 and inline.job_ids == []
    assert db.session.get(CollectionRun, inline.run_ids[0]).finished_at is not None


def test_only_one_of_two_schedulers_dispatches(stack):
    app, _fake, connection = stack
    app.config["COLLECT_INTERVAL_SECONDS"] = 3600
    try:
        first, second = Scheduler(app, connection), Scheduler(app, connection)
        assert sorted(k.split(":")[0] for k in first.tick()) == ["balances", "costs"]
        assert second.tick() == [] and first.tick() == []  # standby; and once per slot
        connection.delete("accountdesk:scheduler:leader")  # the leader died and its lock expired
        assert second.tick() == []  # takes over, but this slot's dispatch already exists
    finally:
        app.config["COLLECT_INTERVAL_SECONDS"] = 3 * 3600
    assert len(collection_queue(connection)) == 2


def test_cli_enqueue_sends_the_cycle_to_rq(stack):
    app, _fake, connection = stack
    orgs = [make_org(), make_org()]
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["collect", "balances", "--enqueue", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["job_ids"]) == 2
    assert len(collection_queue(connection)) == 2
    work(app, connection)
    assert counts(BalanceSnapshot) == {org.id: 1 for org in orgs}


def test_cli_enqueue_without_redis_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["collect", "costs", "--enqueue"])
    assert result.exit_code == 1 and "cannot enqueue: REDIS_URL is not configured" in result.output


def test_cost_dispatch_covers_the_previous_month_in_the_first_five_days(stack):
    _app, _fake, connection = stack
    org = make_org()
    record_check(org.id, CollectionKind.COSTS, datetime(2026, 2, 20, tzinfo=UTC))  # collected before
    db.session.commit()
    dispatch("costs", "20260303T060000Z")
    dispatch("costs", "20260306T060000Z")
    assert sorted(collection_queue(connection).job_ids) == [
        job_id("costs", org.id, "20260303T060000Z", "2026-02"),
        job_id("costs", org.id, "20260303T060000Z", "2026-03"),
        job_id("costs", org.id, "20260306T060000Z", "2026-03"),
    ]


def test_the_first_cost_dispatch_also_asks_for_two_years_of_closed_months(stack):
    """An organisation never collected: a job per closed month of the last two years, before the default ones;
    once a cost collection succeeded, the next slot asks for the default months only."""
    app, _fake, connection = stack
    org = make_org(provider_account_ref="costly-2")
    db.session.commit()
    dispatch("costs", "20260310T060000Z")
    queue = collection_queue(connection)
    months = [job.split("_")[-1] for job in queue.job_ids]
    assert months[:3] == ["2026-03", "2026-02", "2026-01"] and months[-1] == "2024-03"  # the current month first
    assert len(months) == len(set(months)) == 25
    work(app, connection)
    assert len(queue) == 0 and counts(CostSnapshot) == {org.id: 25}  # the fake provider reports every month
    dispatch("costs", "20990110T000000Z")  # a slot after the jobs' own moment (they ran now, not in 2026)
    assert queue.job_ids == [job_id("costs", org.id, "20990110T000000Z", "2099-01")]


def test_a_job_for_a_deleted_organisation_ends_quietly(stack):
    assert collect_balance(987_654, current_slot(utcnow(), 3600)) == {"org_id": 987_654, "outcome": "gone"}
    assert db.session.scalar(select(func.count()).select_from(CollectionRun)) == 0
