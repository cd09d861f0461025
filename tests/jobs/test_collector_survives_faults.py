"""Faults with real Redis, real worker processes and a PostgreSQL database they share."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import func, select

from jobs.collect import dispatch
from jobs.schedule import current_slot, months_for
from tests.conftest import make_test_app
from tests.factories import make_org
from tests.processes import Process, stack_environ, wait_for
from webapp.collection.queue import collection_queue
from webapp.collection.rules import history_months
from webapp.config import PROVIDER_BACKOFF_CAP, load_config
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionOutcome, CollectionState, CostSnapshot, OrganizationSummary
from webapp.models.types import utcnow
from webapp.providers.fake_server import FakeProvider, Faults, running
from webapp.read_model.store import differences

pytestmark = [pytest.mark.redis, pytest.mark.postgresql]
TOKEN = "fault-test-token-5c4b3a"
FROZEN = datetime(2026, 3, 17, 14, 30, tzinfo=UTC)


class Stack:
    """A committed database, Redis, the fake provider, and the workers this test started."""

    def __init__(self, app, fake: FakeProvider, url: str, redis: Redis, environ: dict, tmp, exits: ExitStack):
        self.app, self.fake, self.provider_url, self.redis = app, fake, url, redis
        self.environ, self.tmp, self._exits = environ, tmp, exits

    def start(self, name: str, module_args: list[str], **extra) -> Process:
        process = Process.python(name, module_args, {**self.environ, **extra}, self.tmp)
        self._exits.callback(process.stop)
        return process

    def burst_worker(self, name: str = "burst-worker") -> str:
        worker = self.start(name, ["jobs.worker", "--burst"])
        assert worker.wait(timeout=120) == 0, worker.output()[-3000:]
        return worker.output()

    def orgs(self, *refs: str) -> list[int]:
        with self.app.app_context():
            ids = [make_org(provider_account_ref=ref).id for ref in refs]
            db.session.commit()
        return ids

    def dispatch(self, kind: str, slot: str) -> int:
        with self.app.app_context():
            return dispatch(kind, slot)["organizations"]

    def count(self, model, **where) -> dict[int, int]:
        with self.app.app_context():
            stmt = select(model.organization_id, func.count()).group_by(model.organization_id).filter_by(**where)
            result = dict(db.session.execute(stmt).all())
            db.session.rollback()
        return result

    def read_model_differences(self, organization_id: int) -> list:
        with self.app.app_context():
            found = differences(organization_id)
            db.session.rollback()
        return found


@pytest.fixture
def stack(postgres_url, redis_url, tmp_path) -> Iterator[Stack]:
    fake = FakeProvider(TOKEN, Faults(frozen_at=FROZEN.isoformat()))
    app = make_test_app(postgres_url, tmp_path / "test-instance", REDIS_URL=redis_url)
    redis = Redis.from_url(redis_url)
    with ExitStack() as exits, running(fake) as url:
        environ = stack_environ(postgres_url, redis_url, url, TOKEN, tmp_path)
        yield Stack(app, fake, url, redis, environ, tmp_path, exits)
    redis.close()
    with app.app_context():
        db.engine.dispose()


def this_month_moment() -> datetime:
    """Now, or midday on the 1st if it is earlier: the demo month has costs by then."""
    now = utcnow()
    return now.replace(hour=12) if now.day == 1 and now.hour < 12 else now


def slots(count: int) -> list[str]:
    now = utcnow()
    return [current_slot(now + timedelta(hours=3 * i), 3 * 3600) for i in range(count)]


def test_a_worker_killed_mid_job_leaves_nothing_partial_and_the_next_cycle_collects(stack):
    (victim,) = stack.orgs("victim-1")
    stack.fake.set_faults(slow_refs={"victim-1": 5.0})
    first, second = slots(2)
    stack.dispatch("balances", first)
    worker = stack.start("worker", ["jobs.worker"])
    wait_for(lambda: stack.fake.hits, timeout=60, what="the job to reach the provider")
    worker.kill_hard()  # SIGKILL: worker and work horse, in the middle of the provider call
    assert stack.count(BalanceSnapshot) == {}
    assert stack.count(CollectionOutcome) == {}  # one transaction per job: no run, outcome or state either
    assert stack.count(CollectionState) == {}
    assert stack.count(OrganizationSummary) == {}  # nor the read model
    stack.fake.set_faults(slow_refs={})
    assert stack.dispatch("balances", second) == 1  # Redis still believes the job is running; the database decides
    output = stack.burst_worker()
    assert stack.count(BalanceSnapshot) == {victim: 1}
    assert stack.read_model_differences(victim) == []
    assert TOKEN not in output + worker.output()


def test_redis_flushed_mid_cycle_loses_nothing_and_the_next_cycle_catches_up(stack):
    ids = stack.orgs(*(f"flush-{n}" for n in range(6)))
    stack.fake.set_faults(latency=0.4)
    first, second = slots(2)
    assert stack.dispatch("balances", first) == 6
    worker = stack.start("worker", ["jobs.worker", "--burst"])
    wait_for(lambda: len(stack.count(BalanceSnapshot)) >= 2, timeout=60, what="two organisations collected")
    stack.redis.flushdb()
    worker.wait(timeout=60)
    before = stack.count(BalanceSnapshot)
    assert 2 <= len(before) < 6 and set(before.values()) == {1}
    assert stack.dispatch("balances", first) == 6 - len(before)  # the same slot again: only what is still due
    stack.redis.flushdb()
    stack.fake.set_faults(latency=0.0)
    assert stack.dispatch("balances", second) == 6  # the next cycle
    stack.burst_worker()
    assert stack.count(BalanceSnapshot) == dict.fromkeys(ids, 1)  # earlier rows kept, nothing twice


def test_two_schedulers_at_once_produce_no_duplicate_snapshots(stack):
    ids = stack.orgs("twin-1", "twin-2", "twin-3")
    stack.fake.set_faults(frozen_at=this_month_moment().isoformat())  # costs exist for the month the slots ask
    interval = {"COLLECT_INTERVAL_SECONDS": "3"}
    schedulers = [stack.start(name, ["jobs.scheduler"], **interval) for name in ("scheduler-a", "scheduler-b")]
    workers = [stack.start(name, ["jobs.worker"], **interval) for name in ("worker-a", "worker-b")]
    current = Month.of(this_month_moment())

    def three_cycles() -> bool:
        found = stack.count(CostSnapshot, year=current.year, month=current.month)
        return len(found) == 3 and min(found.values()) >= 3

    wait_for(
        three_cycles,
        timeout=90,
        interval=0.5,
        what="three cost cycles for every organisation",
    )
    for process in schedulers:
        process.stop()
    dispatched = re.findall(r"dispatch enqueued kind=costs slot=(\w+)", "".join(p.output() for p in schedulers))
    assert len(dispatched) == len(set(dispatched))  # each slot dispatched once between the two of them
    queue = collection_queue(stack.redis)
    wait_for(lambda: queue.count == 0 and queue.started_job_registry.count == 0, timeout=60, what="queue drained")
    for process in workers:
        process.stop()
    most = len(dispatched) * len(months_for(this_month_moment()))
    cycles = stack.count(CostSnapshot, year=current.year, month=current.month)
    assert len(cycles) == 3 and all(3 <= n <= most for n in cycles.values())  # never two in one slot and month
    history = [stack.count(CostSnapshot, year=month.year, month=month.month) for month in history_months(current.start)]
    # the first collections' (again in each slot dispatched before one of them had succeeded, at most)
    assert all(set(found) == set(ids) and max(found.values()) <= len(dispatched) for found in history)
    assert stack.count(BalanceSnapshot) == dict.fromkeys(ids, 1)  # frozen balance: one row each, ever


def test_a_provider_failing_for_one_organisation_does_not_delay_or_fail_the_others(stack):
    broken, *healthy = stack.orgs("broken-1", *(f"fine-{n}" for n in range(5)))
    stack.fake.set_faults(failing_refs={"broken-1": 503}, retry_after="2")
    (slot,) = slots(1)
    assert stack.dispatch("balances", slot) == 6  # the broken organisation is first in the queue
    workers = [stack.start(f"worker-{n}", ["jobs.worker", "--burst"]) for n in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.output()[-3000:]
    assert stack.count(BalanceSnapshot) == dict.fromkeys(healthy, 1)
    with stack.app.app_context():
        outcomes = {o.organization_id: o for o in db.session.scalars(select(CollectionOutcome))}
        state = db.session.get(CollectionState, (broken, "balances"))
        assert outcomes[broken].outcome == "failed" and "HTTP 503" in outcomes[broken].reason
        assert state.consecutive_failures == 1 and "HTTP 503" in state.last_error
        assert all(outcomes[o].finished_at < outcomes[broken].finished_at for o in healthy)  # not held up
        db.session.rollback()
    assert TOKEN not in "".join(w.output() for w in workers)


def test_an_organisation_that_never_succeeded_is_dispatched_every_slot_until_it_does(stack):
    (newcomer,) = stack.orgs("newcomer-1")
    stack.fake.set_faults(failing_refs={"newcomer-1": 400})  # not retryable: the job fails at once
    first, second, third = slots(3)
    for slot in (first, second):
        assert stack.dispatch("balances", slot) == 1  # state exists, last_success_at is NULL: still due
        stack.burst_worker()
    with stack.app.app_context():
        state = db.session.get(CollectionState, (newcomer, "balances"))
        assert state.last_success_at is None and state.consecutive_failures == 2
        db.session.rollback()
    assert stack.count(BalanceSnapshot) == {}
    stack.fake.set_faults(failing_refs={})  # the provider recovers
    assert stack.dispatch("balances", third) == 1
    stack.burst_worker()
    assert stack.count(BalanceSnapshot) == {newcomer: 1}


def test_a_dripping_and_a_huge_answer_do_not_stall_the_healthy_organisations(stack):
    drip, huge, *healthy = stack.orgs("drip-1", "huge-1", *(f"quick-{n}" for n in range(4)))
    stack.fake.set_faults(drip_refs={"drip-1": 1.0}, huge_refs={"huge-1": "chunked"})  # ~40 s and 200 MB
    (slot,) = slots(1)
    assert stack.dispatch("balances", slot) == 6  # the slow ones are first in the queue
    limits = {"PROVIDER_TIMEOUT": "2", "PROVIDER_MAX_RETRIES": "1"}
    started = time.monotonic()
    worker = stack.start("worker", ["jobs.worker", "--burst"], **limits)
    assert worker.wait(timeout=120) == 0, worker.output()[-3000:]
    assert time.monotonic() - started < 30  # two attempts of 2 s for the drip, not minutes
    assert stack.count(BalanceSnapshot) == dict.fromkeys(healthy, 1)
    with stack.app.app_context():
        reasons = {o.organization_id: o.reason for o in db.session.scalars(select(CollectionOutcome))}
        db.session.rollback()
    assert "timed out" in reasons[drip] and "response too large" in reasons[huge]


def test_the_job_timeout_is_derived_from_the_provider_deadline_and_retries():
    config = load_config({"ACCOUNTDESK_ENV": "testing", "PROVIDER_TIMEOUT": "60", "PROVIDER_MAX_RETRIES": "3"})
    assert config["COLLECT_JOB_TIMEOUT"] >= 2 * (4 * 60 + 3 * PROVIDER_BACKOFF_CAP)
    assert load_config({"ACCOUNTDESK_ENV": "testing"})["COLLECT_JOB_TIMEOUT"] == 300
    assert load_config({"ACCOUNTDESK_ENV": "testing"})["PROVIDER_MAX_RESPONSE_BYTES"] == 4 * 1024 * 1024
