"""The portfolio header is reused between requests on PostgreSQL only while it is still the answer
(queries.snapshot_cache, migration 0012): on a committed database, every kind of change another
transaction commits — a collection, a threshold, an assignment, a TRUNCATE, a writer that was still
open when the header was computed — and the passing of time (a check turning stale) gives the fresh
answer, equal to the aggregate computed from scratch; with nothing changed, the aggregate is not run.
The navigation's count of open alerts is reused the same way (alert states and snoozes ending)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.conftest import make_test_app
from tests.factories import make_balance, make_org, make_user
from tests.helpers import selects, sql_statements
from tests.read_model_sync import read_model_kept
from webapp.domain.freshness import stale_before
from webapp.extensions import db
from webapp.models import Organization, User
from webapp.models.types import utcnow
from webapp.queries import portfolio_header
from webapp.queries.alerts import count_needing_attention
from webapp.queries.portfolio_header import PortfolioParams, header
from webapp.services.users import set_assignments

pytestmark = pytest.mark.postgresql
INTERVAL_HOURS = 3.0


@pytest.fixture
def shared(postgres_url, tmp_path):
    """A committed PostgreSQL database: an admin, a manager with one of two organisations."""
    app = make_test_app(postgres_url, tmp_path)
    with app.app_context(), read_model_kept():
        now = utcnow()
        first = make_org(name="First", low_balance_threshold=Decimal("50"))
        make_balance(first, "100.00", at=now - timedelta(hours=1))
        second = make_org(name="Second")
        make_balance(second, "-5.00", at=now - timedelta(hours=1))
        admin = make_user(role="admin")
        manager = make_user(role="manager", organizations=[first])
        db.session.execute(text("UPDATE organization_summaries SET checked_at = :at"), {"at": now})
        db.session.commit()
        ids = {"first": first.id, "second": second.id, "admin": admin.id, "manager": manager.id, "now": now}
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def _header(app, user_id: int, now, *, fresh: bool = False) -> tuple[list, int]:
    """(the header, how many times the aggregate ran); `fresh` computes it without the kept answers."""
    with app.app_context():
        user = db.session.get(User, user_id)
        if fresh:
            portfolio_header.KEPT.clear()
        with sql_statements() as statements:
            groups = header(user, PortfolioParams(), now=now, stale_at=stale_before(now, INTERVAL_HOURS))
        db.session.remove()
    return groups, sum("GROUP BY" in s for s in selects(statements))


def _commit(app, *statements: str) -> None:
    with app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()


def _counts(groups) -> dict[str | None, dict[str, int]]:
    return {group.currency: group.counts for group in groups}


def test_reused_while_nothing_changed(shared):
    app, ids = shared
    first, ran = _header(app, ids["admin"], ids["now"])
    again, ran_again = _header(app, ids["admin"], ids["now"] + timedelta(minutes=1))
    assert ran == 1 and ran_again == 0
    assert again == first
    assert _counts(first)["EUR"] == {
        "all": 2,
        "attention": 1,
        "overdrawn": 1,
        "low-balance": 0,
        "stale": 0,
        "short-runway": 0,
    }


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE organization_summaries SET balance_amount = 10 WHERE organization_id = {first}",  # a collection
        "UPDATE organizations SET low_balance_threshold = 500 WHERE id = {first}",  # an admin's edit
        "TRUNCATE organization_summaries",
        "DELETE FROM organization_summaries WHERE organization_id = {second}",
    ],
)
def test_a_committed_change_gives_the_fresh_answer(shared, change):
    app, ids = shared
    before, _ = _header(app, ids["admin"], ids["now"])
    _commit(app, change.format(**ids))
    after, ran = _header(app, ids["admin"], ids["now"])
    assert ran == 1
    assert after == _header(app, ids["admin"], ids["now"], fresh=True)[0]
    assert after != before


def test_an_assignment_changes_a_managers_header(shared):
    app, ids = shared
    assert _counts(_header(app, ids["manager"], ids["now"])[0])["EUR"]["all"] == 1
    with app.app_context():
        set_assignments(ids["manager"], {ids["first"], ids["second"]})
        db.session.commit()
    assert _counts(_header(app, ids["manager"], ids["now"])[0])["EUR"]["all"] == 2
    assert _counts(_header(app, ids["admin"], ids["now"])[0])["EUR"]["all"] == 2  # each scope kept apart


def test_a_writer_open_while_computing_is_seen_once_it_commits(shared):
    app, ids = shared
    with app.app_context():
        writer = db.engine.connect()
        pending = writer.begin()
        writer.execute(text(f"UPDATE organizations SET low_balance_threshold = 500 WHERE id = {ids['first']}"))
        computed, ran = _header(app, ids["admin"], ids["now"])  # its snapshot does not see the writer
        assert ran == 1 and _counts(computed)["EUR"]["low-balance"] == 0
        pending.commit()
        writer.close()
    after, ran = _header(app, ids["admin"], ids["now"])
    assert ran == 1 and _counts(after)["EUR"]["low-balance"] == 1


def test_a_check_turning_stale_and_the_next_day_give_the_fresh_answer(shared):
    app, ids = shared
    now = ids["now"]
    _header(app, ids["admin"], now)
    later = now + timedelta(hours=2 * INTERVAL_HOURS, seconds=1)  # both checks are stale now
    stale, ran = _header(app, ids["admin"], later)
    assert ran == 1 and _counts(stale)["EUR"]["stale"] == 2
    assert _header(app, ids["admin"], now - timedelta(minutes=1))[1] == 1  # an earlier `now` is not served either


def test_a_transaction_that_wrote_never_keeps_its_answer(shared):
    app, ids = shared
    with app.app_context():
        admin = db.session.get(User, ids["admin"])
        db.session.get(Organization, ids["first"]).low_balance_threshold = Decimal("500")
        db.session.flush()  # uncommitted: its own snapshot sees it
        stale_at = stale_before(ids["now"], INTERVAL_HOURS)
        seen = header(admin, PortfolioParams(), now=ids["now"], stale_at=stale_at)
        db.session.rollback()
        assert _counts(seen)["EUR"]["low-balance"] == 1
    after, ran = _header(app, ids["admin"], ids["now"])
    assert ran == 1 and _counts(after)["EUR"]["low-balance"] == 0


def _open_alerts(app, user_id: int, now) -> tuple[int, int]:
    """(the navigation's count of open alerts, how many times it was counted from the states)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        with sql_statements() as statements:
            count = count_needing_attention(user, now)
        db.session.remove()
    return count, sum("FROM alert_states" in s for s in selects(statements))


def test_the_navigation_count_of_open_alerts_is_reused_the_same_way(shared):
    app, ids = shared
    now = ids["now"]
    _commit(
        app,
        "INSERT INTO alert_states (organization_id, rule, level, episode, changed_at, figures) VALUES "
        f"({ids['first']}, 'low_balance', 2, 1, now(), '{{}}'), ({ids['second']}, 'overdrawn', 3, 1, now(), '{{}}')",
    )
    assert _open_alerts(app, ids["admin"], now) == (2, 1)
    assert _open_alerts(app, ids["admin"], now) == (2, 0)  # nothing changed: not counted again
    assert _open_alerts(app, ids["manager"], now) == (1, 1)  # the manager's own organisation only
    snooze_ends = now + timedelta(hours=1)
    _commit(
        app,
        f"UPDATE alert_states SET snoozed_until = '{snooze_ends.isoformat()}' WHERE organization_id = {ids['second']}",
    )
    assert _open_alerts(app, ids["admin"], now) == (1, 1)  # a snooze: counted again
    assert _open_alerts(app, ids["admin"], now + timedelta(minutes=59)) == (1, 0)
    assert _open_alerts(app, ids["admin"], snooze_ends) == (2, 1)  # the snooze ended: counted again
    _commit(app, f"UPDATE alert_states SET acknowledged_at = now() WHERE organization_id = {ids['first']}")
    assert _open_alerts(app, ids["admin"], snooze_ends) == (1, 1)
