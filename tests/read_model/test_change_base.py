"""The 7-day change's base on the summary (read_model.change_base): written by the collection write path for the
writer's week-ago day, moved to a new day by the rebase (CLI, RQ scheduler, in-process collector), and checked by
`summaries check` against the rule for its stored day."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from tests.factories import make_org
from tests.helpers import queued_by_two_schedulers
from webapp.collection.in_process import BackgroundCollector
from webapp.collection.lease import FileLease
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.domain.week_change import day_start, week_ago_day
from webapp.extensions import db
from webapp.models import BalanceSnapshot, OrganizationSummary
from webapp.models.types import utcnow
from webapp.providers import BalanceReading
from webapp.read_model.change_base import rebase, with_change_base
from webapp.read_model.refresh import refresh
from webapp.read_model.store import Difference, differences

NOW = utcnow()
DAY = week_ago_day(NOW)


def collect(org_id: int, amount: str, at: datetime) -> None:
    write_checks(org_id, balances=[BalanceCheck(at, BalanceReading(Decimal(amount), "EUR"))])


def base(org_id: int) -> tuple:
    db.session.expire_all()
    summary = db.session.get(OrganizationSummary, org_id)
    return summary.change_base_day, summary.change_base_amount, summary.change_7d


def ledgers() -> dict[str, int]:
    """One organisation per case of the rule, collected live: a daily row on the day, a ledger that ended before
    it (nothing moved since), one that began after it (nothing to compare with)."""
    on_day, ended, began = (make_org(active=False).id for _ in range(3))
    collect(on_day, "100.00", day_start(DAY) - timedelta(days=2))  # the first write: the whole ledger
    collect(on_day, "80.00", day_start(DAY) + timedelta(hours=6))  # then refreshes
    collect(on_day, "50.00", NOW - timedelta(hours=1))
    collect(ended, "40.00", day_start(DAY) - timedelta(days=3))
    collect(began, "30.00", NOW - timedelta(hours=2))
    return {"on_day": on_day, "ended": ended, "began": began}


def to_another_day(*org_ids: int) -> None:
    """As a base written before midnight would stand today: another day's, an amount that is wrong for today's."""
    db.session.execute(
        update(OrganizationSummary)
        .where(OrganizationSummary.organization_id.in_(org_ids))
        .values(change_base_day=DAY - timedelta(days=1), change_base_amount=Decimal("-999"))
    )


def test_live_collection_writes_the_base_of_its_week_ago_day(app):
    orgs = ledgers()
    assert base(orgs["on_day"]) == (DAY, Decimal("80.00"), Decimal("-30.00"))  # closing of the day: 80
    assert base(orgs["ended"]) == (DAY, Decimal("40.00"), Decimal("0.00"))  # nothing moved since
    assert base(orgs["began"]) == (DAY, None, None)  # nothing to compare with
    assert [found for org_id in orgs.values() for found in differences(org_id)] == []
    for org_id in orgs.values():  # written from the figures in hand; the same as a probe of the table
        summary = db.session.get(OrganizationSummary, org_id)
        values = {"organization_id": org_id, "as_of": summary.as_of, "balance_amount": summary.balance_amount}
        assert with_change_base(db.session, values)["change_base_amount"] == summary.change_base_amount


def test_a_backdated_snapshot_on_the_base_day_changes_the_base(app):
    org_id = ledgers()["on_day"]
    late = BalanceSnapshot(
        organization_id=org_id,
        amount=Decimal("70.00"),
        currency="EUR",
        collected_at=day_start(DAY) + timedelta(hours=20),
    )
    db.session.add(late)
    db.session.flush()
    refresh(org_id, DAY)  # a late write dated on the base day
    assert base(org_id) == (DAY, Decimal("70.00"), Decimal("-20.00"))
    assert differences(org_id) == []


def test_the_rebase_moves_other_days_bases_as_the_write_path_would_write_them(app):
    orgs = ledgers()
    written = {org_id: base(org_id) for org_id in orgs.values()}
    to_another_day(orgs["on_day"], orgs["ended"])
    db.session.execute(
        update(OrganizationSummary)
        .where(OrganizationSummary.organization_id == orgs["began"])
        .values(change_base_day=None, change_base_amount=None)  # a summary written before 0015
    )
    assert rebase(NOW, batch=2) == 3
    assert {org_id: base(org_id) for org_id in orgs.values()} == written  # the SQL twin agrees with the Python one
    assert rebase(NOW) == 0  # today's bases stay


def test_check_reports_a_wrong_base_for_its_own_day(app):
    org_id = ledgers()["on_day"]
    yesterday = DAY - timedelta(days=1)
    for day, amount in ((DAY, "80.00"), (yesterday, "100.00")):  # right for its day, whichever day that is
        db.session.execute(
            update(OrganizationSummary)
            .where(OrganizationSummary.organization_id == org_id)
            .values(change_base_day=day, change_base_amount=Decimal(amount))
        )
        assert differences(org_id) == []
        db.session.execute(
            update(OrganizationSummary)
            .where(OrganizationSummary.organization_id == org_id)
            .values(change_base_amount=Decimal("1.23"))
        )
        wrong = Difference(org_id, "organization_summaries", day, "change_base_amount", "1.23", amount)
        assert differences(org_id) == [wrong]
    db.session.commit()
    checked = app.test_cli_runner().invoke(args=["summaries", "check"])
    assert checked.exit_code == 1
    line = f"organisation {org_id}: organization_summaries {yesterday.isoformat()} change_base_amount: stored 1.23"
    assert f"{line}, expected 100.00" in checked.output


def test_cli_rebase_moves_the_bases_and_says_so(app):
    orgs = ledgers()
    to_another_day(orgs["on_day"])
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["summaries", "rebase"])
    assert result.exit_code == 0, result.output
    assert f"Moved the 7-day change base of 1 summaries to {week_ago_day(utcnow()).isoformat()}." in result.output
    assert base(orgs["on_day"])[1:] == (Decimal("80.00"), Decimal("-30.00"))
    quiet = runner.invoke(args=["summaries", "rebase", "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_the_in_process_collector_rebases_once_a_utc_day(app, tmp_path):
    org_id = ledgers()["on_day"]  # inactive: the tick collects nothing
    collector = BackgroundCollector(app, FileLease(str(tmp_path / "db.collector-lock")))
    to_another_day(org_id)
    collector.tick(NOW)
    assert base(org_id)[:2] == (DAY, Decimal("80.00"))
    to_another_day(org_id)
    collector.tick(NOW + timedelta(seconds=1))  # the same day: done
    assert base(org_id)[0] == DAY - timedelta(days=1)
    collector.tick(NOW + timedelta(days=1))  # the next day: its week-ago day, whose closing balance is 80 too
    assert base(org_id)[:2] == (DAY + timedelta(days=1), Decimal("80.00"))


@pytest.mark.redis
def test_two_schedulers_queue_one_rebase_a_day_and_a_worker_runs_it(app, redis_url):
    org_id = ledgers()["on_day"]
    to_another_day(org_id)
    db.session.commit()
    assert len(queued_by_two_schedulers(app, redis_url, "change_base_")) == 1
    assert base(org_id)[:2] == (week_ago_day(utcnow()), Decimal("80.00"))
