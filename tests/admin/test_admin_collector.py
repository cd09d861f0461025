"""Issue 6 §4: collector health (runs per kind with duration and counts, organisations in trouble with the last
error and the streak, the next run due) and "collect now", inline or queued, followed by a polling partial
that stops polling once the work is done."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import create_engine

from jobs.worker import AppSimpleWorker, build_worker
from tests.admin.helpers import admin, events, post
from tests.factories import make_org
from webapp.collection.in_process import EXTENSION, BackgroundCollector
from webapp.collection.lease import FileLease, PostgresLease, sqlite_lock_path
from webapp.collection.queue import next_run_due
from webapp.extensions import db
from webapp.models import CollectionOutcome, CollectionRun, CollectionState
from webapp.models.types import utcnow

POLL = 'hx-trigger="every 2s"'


def test_health_shows_runs_trouble_and_the_next_run(app, client):
    sick = make_org(name="Sick Org")
    make_org(name="Inactive Org", active=False)
    now = utcnow()
    db.session.add(
        CollectionRun(kind="balances", trigger="schedule", started_at=now - timedelta(seconds=95),
                      finished_at=now - timedelta(seconds=90), written=3, unchanged=4, failed=1)
    )  # fmt: skip
    db.session.add(
        CollectionState(organization_id=sick.id, kind="balances", last_attempt_at=now, last_error="HTTP 503 upstream",
                        last_error_at=now, consecutive_failures=3, last_success_at=now - timedelta(days=2))
    )  # fmt: skip
    db.session.commit()
    admin(client)
    page = client.get("/admin/collector").get_data(as_text=True)
    runs = page.split('id="runs-balances"', 1)[1].split("</table>", 1)[0]
    assert "schedule" in runs and "5.0 s" in runs and '<td class="num">3</td>' in runs
    trouble = page.split('id="troubled-table"', 1)[1].split("</table>", 1)[0]
    assert "Sick Org" in trouble and "HTTP 503 upstream" in trouble and '<td class="num">3</td>' in trouble
    assert "stale</span>" in trouble and "failing</span>" in trouble
    assert "Inactive Org" not in trouble
    assert 'id="runs-costs"' in page


def test_a_run_whose_process_died_reads_stopped_not_running_forever(app, client):
    """A `flask collect` killed half-way leaves its run without an end: once nothing has been recorded
    for longer than one organisation's deadline it is shown as stopped (with its last sign of life);
    a run still recording organisations, or just started, reads running."""
    org = make_org()
    now, quiet = utcnow(), timedelta(seconds=app.config["COLLECT_JOB_TIMEOUT"])
    killed = CollectionRun(kind="balances", trigger="cli-killed", started_at=now - quiet * 3)
    busy = CollectionRun(kind="balances", trigger="cli-busy", started_at=now - quiet * 3)
    fresh = CollectionRun(kind="balances", trigger="cli-fresh", started_at=now - timedelta(seconds=5))
    db.session.add_all([killed, busy, fresh])
    db.session.flush()
    for run, ago in ((killed, quiet * 2), (busy, timedelta(seconds=10))):
        db.session.add(
            CollectionOutcome(run_id=run.id, organization_id=org.id, outcome="written", finished_at=now - ago)
        )
    db.session.commit()
    admin(client)
    runs = client.get("/admin/collector").get_data(as_text=True).split('id="runs-balances"', 1)[1]
    rows = {row.split("<td>", 1)[1].split("</td>", 1)[0]: row for row in runs.split("<tr>")[2:5]}
    assert ">stopped</span>" in rows["cli-killed"] and ">running</span>" not in rows["cli-killed"]
    title = re.search(r'<span class="badge bad" title="([^"]*)">stopped</span>', rows["cli-killed"])
    assert title is not None and "nothing since" in title.group(1) and "<" not in title.group(1)
    assert ">running</span>" in rows["cli-busy"] and ">running</span>" in rows["cli-fresh"]


def _schedule_line(client) -> str:
    page = client.get("/admin/collector").get_data(as_text=True)
    return page.split('id="schedule-status">', 1)[1].split("</p>", 1)[0]


def test_the_page_says_who_collects_on_the_schedule_and_when(app, client, tmp_path):
    """Issue 13 §6: the next run only when a collector will make it; otherwise that none is running."""
    admin(client)
    assert "No collector is running" in _schedule_line(client) and "due" not in _schedule_line(client)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = None if uri.startswith("sqlite") else create_engine(uri)
    elsewhere = PostgresLease(engine) if engine is not None else FileLease(sqlite_lock_path(uri))
    due = next_run_due(utcnow(), app.config["COLLECT_INTERVAL_SECONDS"]).isoformat()
    try:
        assert elsewhere.acquire()
        line = _schedule_line(client)
        assert "Next scheduled run due" in line and due in line and "another web process on this database" in line
    finally:
        elsewhere.release()
        if engine is not None:
            engine.dispose()
    app.extensions[EXTENSION] = here = BackgroundCollector(app, FileLease(str(tmp_path / "here.lock")))
    try:
        assert here.lease.acquire()
        line = _schedule_line(client)
        assert "Next scheduled run due" in line and "this web process" in line
    finally:
        del app.extensions[EXTENSION]
        here.lease.release()
    with _config(app, REDIS_URL="redis://127.0.0.1:1/0"):
        assert "the RQ scheduler enqueues it" in _schedule_line(client)


@contextmanager
def _config(app, **values):
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def test_next_run_due_is_the_end_of_the_current_slot():
    now = datetime(2026, 3, 17, 14, 30, tzinfo=UTC)
    assert next_run_due(now, 3 * 3600) == datetime(2026, 3, 17, 15, 0, tzinfo=UTC)
    assert next_run_due(now.replace(hour=15), 3 * 3600) == datetime(2026, 3, 17, 18, 0, tzinfo=UTC)


def test_collect_now_inline_for_one_organisation_finishes_and_stops_polling(app, client):
    org = make_org(name="Demo One", provider_account_ref="demo-0001")
    admin(client)
    response = post(client, "/admin/collector/collect", {"organization_id": org.id}, page="/admin/collector")
    assert response.status_code == 303
    (event,) = events("collect_now")
    assert response.headers["Location"] == f"/admin/collector/requests/{event.id}"
    assert event.details["mode"] == "inline" and len(event.details["run_ids"]) == 2
    assert event.target == f"organization {org.id} (Demo One)"
    partial = client.get(response.headers["Location"], headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "HX-Request" in partial.headers["Vary"]
    assert body.lstrip().startswith('<div id="collect-progress"') and "<html" not in body
    assert "Done: 2 of 2 finished" in body and POLL not in body
    assert db.session.get(CollectionState, (org.id, "balances")).last_success_at is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<html" in page and "Done: 2 of 2 finished" in page


def test_collect_now_for_all_and_unknown_organisations(app, client):
    active = make_org(provider_account_ref="demo-0001")
    make_org(provider_account_ref="demo-0002", active=False)
    admin(client)
    assert post(client, "/admin/collector/collect", {"organization_id": ""}, page="/admin/collector").status_code == 303
    (event,) = events("collect_now")
    assert event.target == "all active organizations"
    runs = [db.session.get(CollectionRun, run_id) for run_id in event.details["run_ids"]]
    outcomes = db.session.scalars(
        db.select(CollectionOutcome).where(CollectionOutcome.run_id.in_(event.details["run_ids"]))
    )
    assert {outcome.organization_id for outcome in outcomes} == {active.id}  # the inactive one skipped
    counted = {run.kind: run.written + run.unchanged + run.no_costs + run.failed for run in runs}
    assert counted["balances"] == 1 and counted["costs"] == 25  # its first costs: the current month(s), two years
    assert (
        post(client, "/admin/collector/collect", {"organization_id": 999999}, page="/admin/collector").status_code
        == 404
    )
    assert client.get("/admin/collector/requests/999999").status_code == 404


def test_collect_now_refuses_an_inactive_organisation(app, client):
    org = make_org(name="Dormant", provider_account_ref="demo-0004", active=False)
    admin(client)
    response = post(client, "/admin/collector/collect", {"organization_id": org.id}, page="/admin/collector")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/collector"
    assert "“Dormant” is inactive: it is not collected." in client.get("/admin/collector").get_data(as_text=True)
    assert events("collect_now") == []
    assert db.session.scalar(db.select(db.func.count()).select_from(CollectionRun)) == 0


@pytest.mark.redis
def test_collect_now_queued_polls_until_the_workers_are_done(app, client, redis_url):
    org = make_org(provider_account_ref="demo-0003")
    db.session.commit()
    admin(client)
    app.config["REDIS_URL"] = redis_url
    connection = Redis.from_url(redis_url)
    try:
        response = post(client, "/admin/collector/collect", {"organization_id": org.id}, page="/admin/collector")
        (event,) = events("collect_now")
        assert event.details["mode"] == "queued" and len(event.details["job_ids"]) >= 2
        # A double submit within the minute queues the same (unique) jobs again: nothing new to do.
        post(client, "/admin/collector/collect", {"organization_id": org.id}, page="/admin/collector")
        assert events("collect_now")[1].details["job_ids"] == event.details["job_ids"]
        pending = client.get(response.headers["Location"], headers={"HX-Request": "true"}).get_data(as_text=True)
        assert POLL in pending and "Working: 0 finished" in pending
        build_worker(app, AppSimpleWorker, connection).work(burst=True, with_scheduler=False)
        done = client.get(response.headers["Location"], headers={"HX-Request": "true"}).get_data(as_text=True)
        total = len(event.details["job_ids"])
        assert POLL not in done and f"Done: {total} of {total} finished" in done
    finally:
        app.config["REDIS_URL"] = None
        connection.close()
