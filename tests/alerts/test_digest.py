"""The daily digest's content (SPEC §10): the window is 08:00 to 08:00 in the user's zone (DST included),
only their organisations, sections for new / resolved / open / running out / anomalies / stale, or
"all quiet"; names are escaped in the HTML part and plain in the text part."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.factories import make_org, make_user
from webapp.alerts.digest import compose, due_day, render, window
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.extensions import db
from webapp.providers import BalanceReading

BERLIN = ZoneInfo("Europe/Berlin")


def collect(org, amount: str, at: datetime) -> None:
    write_checks(org.id, balances=[BalanceCheck(at, BalanceReading(Decimal(amount), "EUR"))])
    db.session.flush()


def manager(*orgs, zone: str = "Europe/Berlin"):
    user = make_user(organizations=list(orgs))
    user.time_zone = zone
    return user


def test_the_window_runs_from_eight_to_eight_local_time_across_a_dst_change():
    # 2026-10-25: Berlin leaves summer time (UTC+2 → UTC+1), so that digest covers 25 hours
    assert window(date(2026, 10, 25), BERLIN) == (
        datetime(2026, 10, 24, 6, tzinfo=UTC),
        datetime(2026, 10, 25, 7, tzinfo=UTC),
    )
    assert window(date(2026, 1, 15), ZoneInfo("UTC")) == (
        datetime(2026, 1, 14, 8, tzinfo=UTC),
        datetime(2026, 1, 15, 8, tzinfo=UTC),
    )


def test_the_due_day_turns_at_eight_local_time(app):
    user = manager()
    assert due_day(user, datetime(2026, 1, 15, 6, 59, tzinfo=UTC)) == date(2026, 1, 14)  # 07:59 in Berlin
    assert due_day(user, datetime(2026, 1, 15, 7, 0, tzinfo=UTC)) == date(2026, 1, 15)  # 08:00 in Berlin


def test_a_digest_lists_what_happened_to_my_organisations_only(app):
    mine, other = make_org(name="Mine <script>alert(1)</script>"), make_org(name="Other Ltd")
    user = manager(mine)
    collect(mine, "-5", datetime(2026, 1, 14, 9, tzinfo=UTC))  # in the window of the 15th: triggered
    collect(other, "-5", datetime(2026, 1, 14, 9, tzinfo=UTC))
    collect(mine, "10", datetime(2026, 1, 15, 6, tzinfo=UTC))  # 07:00 Berlin: resolved, still in the window
    digest = compose(user, date(2026, 1, 15))
    assert [(i.organization_id, i.rule, i.level) for i in digest.triggered] == [(mine.id, "overdrawn", "critical")]
    assert [(i.organization_id, i.rule) for i in digest.resolved] == [(mine.id, "overdrawn")]
    assert digest.still_open == [] and digest.key == f"digest:{user.id}:2026-01-15"
    text, html = render(digest)
    assert "Mine <script>alert(1)</script>: Overdrawn (critical), 2026-01-14 10:00 Europe/Berlin" in text
    assert "<script>" not in html and "Mine &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Other Ltd" not in text + html
    assert digest.subject == "Account Desk daily digest 2026-01-15: 1 new, 1 resolved, 0 open"


def test_open_alerts_and_running_out_are_listed_and_a_quiet_day_says_so(app):
    org = make_org(name="Still Overdrawn", low_balance_threshold=Decimal("100"))
    user = manager(org)
    collect(org, "-5", datetime(2026, 1, 10, 9, tzinfo=UTC))  # before the window: open, not new
    digest = compose(user, date(2026, 1, 15))
    assert digest.triggered == [] and {i.rule for i in digest.still_open} == {"overdrawn", "low_balance"}
    text, _html = render(digest)
    assert "Still open (2):" in text and "Running out within 14 days: none" in text
    quiet = compose(manager(make_org()), date(2026, 1, 15))
    assert quiet.quiet and quiet.subject.endswith("all quiet") and "All quiet" in render(quiet)[0]
