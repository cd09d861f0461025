"""What the status sort and the low-balance filter store (migration 0016_portfolio_status_sort): the summary's copy
of the organisation's low-balance threshold, kept by triggers when a summary is written and when the threshold is
edited (however it is edited), the generated status_fixed following both, `summaries check` comparing the copy,
and the migration filling both for the summaries that exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select, update

from tests.conftest import make_test_app
from tests.factories import make_org, make_user
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.domain.balance import is_low_balance, is_overdrawn
from webapp.domain.freshness import stale_before
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary
from webapp.models.types import utcnow
from webapp.providers import BalanceReading
from webapp.queries.portfolio import portfolio_page
from webapp.queries.portfolio_header import PortfolioParams, header
from webapp.read_model.store import differences, rebuild
from webapp.services.organizations import create_organization, update_organization

SUMMARY = OrganizationSummary.__table__
# The revision 0016 follows (read from its script, so re-chaining it is a change to the migration alone).
BEFORE = (
    ScriptDirectory(str(Path(__file__).parents[2] / "migrations"))
    .get_revision("0016_portfolio_status_sort")
    .down_revision
)


def stored(organization_id: int) -> tuple[Decimal | None, int | None]:
    """The summary's (balance_threshold, status_fixed)."""
    row = db.session.execute(
        select(SUMMARY.c.balance_threshold, SUMMARY.c.status_fixed).where(SUMMARY.c.organization_id == organization_id)
    ).one()
    return row.balance_threshold, row.status_fixed


def amount(text_: str | None) -> Decimal | None:
    return None if text_ is None else Decimal(text_)


def copy_differences(organization_id: int) -> list:
    """What `summaries check` says of the copy (these summaries were stored by hand, without a ledger)."""
    return [found for found in differences(organization_id) if found.column == "balance_threshold"]


def edit_threshold(org: Organization, threshold: str | None) -> None:
    update_organization(org, name=org.name, provider_ref=org.provider_account_ref, threshold=threshold, active=True)
    db.session.flush()


def test_the_threshold_is_copied_when_a_summary_is_written_and_whenever_it_is_edited(app):
    org = create_organization(name="Copied Ltd", provider_ref="copied-1", low_balance_threshold="10")
    db.session.execute(insert(SUMMARY), [{"organization_id": org.id, "balance_amount": Decimal("5")}])
    assert stored(org.id) == (Decimal("10"), 2)
    edit_threshold(org, "3")  # the admin form and the CLI
    assert stored(org.id) == (Decimal("3"), 0)
    edit_threshold(org, None)
    assert stored(org.id) == (None, 0)
    org.low_balance_threshold = Decimal("5.00000001")  # the ORM directly
    db.session.flush()
    assert stored(org.id) == (Decimal("5.00000001"), 2)
    db.session.execute(update(Organization).where(Organization.id == org.id).values(low_balance_threshold=Decimal(1)))
    assert stored(org.id) == (Decimal("1"), 0)  # a bulk UPDATE
    untouched = make_org(low_balance_threshold=Decimal("7"))
    db.session.execute(insert(SUMMARY), [{"organization_id": untouched.id, "balance_amount": Decimal("-1")}])
    db.session.execute(update(Organization).where(Organization.id == org.id).values(name="Renamed Ltd"))
    assert stored(org.id) == (Decimal("1"), 0) and stored(untouched.id) == (Decimal("7"), 10)
    assert copy_differences(org.id) == [] and copy_differences(untouched.id) == []


def test_balance_writes_move_the_stored_status_and_the_low_balance_filter_follows(app):
    """Through the collection write path (which deletes and inserts the summary), then a threshold edit."""
    org = create_organization(name="Moving Ltd", provider_ref="moving-1", low_balance_threshold="10")
    admin = make_user(role="admin")
    now = utcnow()
    writes = (("50", 0), ("-5", 10), ("7", 2), ("10", 0), ("9.99999999", 2))
    for minutes, (balance, status) in enumerate(writes, start=-len(writes)):
        at = now + timedelta(minutes=minutes)
        write_checks(org.id, balances=[BalanceCheck(at, BalanceReading(Decimal(balance), "EUR"))])
        db.session.flush()
        assert stored(org.id) == (Decimal("10"), status), balance
        assert differences(org.id) == []
        page = portfolio_page(admin, PortfolioParams(filter="low-balance"), now=now, interval_hours=3.0)
        assert [row.id for row in page.rows] == ([org.id] if status & 2 else []), balance
        assert page.counts["low-balance"] == (1 if status & 2 else 0)
    edit_threshold(org, "9")
    assert stored(org.id) == (Decimal("9"), 0)
    groups = header(admin, PortfolioParams(), now=now, stale_at=stale_before(now, 3.0))
    assert [group.counts["low-balance"] for group in groups] == [0]


def test_the_stored_part_of_the_key_agrees_with_the_domain_rules(app):
    """status_fixed (generated from the balance and the threshold copied onto the summary) is 8 when overdrawn
    plus 2 when under the threshold, by the domain's Python rules."""
    balances = [None, "-5", "-0.00000001", "0", "0.00000001", "9.99999999", "10", "25"]
    thresholds = [None, "0", "10", "30"]
    cases = {}
    for threshold in thresholds:
        for balance in balances:
            org = make_org(low_balance_threshold=amount(threshold))
            db.session.execute(insert(SUMMARY), [{"organization_id": org.id, "balance_amount": amount(balance)}])
            want = 8 * is_overdrawn(amount(balance)) + 2 * is_low_balance(amount(balance), amount(threshold))
            cases[org.id] = want
    stored = dict(db.session.execute(select(SUMMARY.c.organization_id, SUMMARY.c.status_fixed)).all())
    assert {key: stored[key] for key in cases} == cases


def test_summaries_check_compares_the_copy_and_rebuild_restores_it(app):
    org = make_org(low_balance_threshold=Decimal("10"))
    write_checks(org.id, balances=[BalanceCheck(utcnow(), BalanceReading(Decimal("4"), "EUR"))])
    db.session.flush()
    db.session.execute(update(SUMMARY).where(SUMMARY.c.organization_id == org.id).values(balance_threshold=None))
    found = [(item.column, item.stored, item.expected) for item in differences(org.id)]
    assert found == [("balance_threshold", None, "10.00")]
    assert stored(org.id) == (None, 0)  # what the low-balance filter and the status sort would read
    rebuild(org.id)
    assert stored(org.id) == (Decimal("10"), 2) and differences(org.id) == []


def test_upgrade_copies_the_thresholds_and_stores_the_status(unmigrated_database_url, tmp_path):
    """0016 on summaries written before it: each gets its organisation's threshold and status_fixed; organisations
    not yet collected still have no summary row."""
    app = make_test_app(unmigrated_database_url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision=BEFORE)
        low, overdrawn, never = (make_org(low_balance_threshold=t and Decimal(t)) for t in ("10", None, "5"))
        summaries = [(low.id, Decimal("4")), (overdrawn.id, Decimal("-3"))]
        db.session.execute(insert(SUMMARY), [{"organization_id": id_, "balance_amount": a} for id_, a in summaries])
        db.session.commit()
        for _round in range(2):  # upgrade, then downgrade to BEFORE and upgrade again
            upgrade()
            rows = db.session.execute(select(SUMMARY.c.organization_id, SUMMARY.c.balance_threshold)).all()
            assert dict(rows) == {low.id: Decimal("10"), overdrawn.id: None}
            assert stored(low.id) == (Decimal("10"), 2) and stored(overdrawn.id) == (None, 8)
            assert never.id not in dict(rows)
            assert copy_differences(low.id) == [] and copy_differences(overdrawn.id) == []
            db.session.rollback()
            downgrade(revision=BEFORE)
        db.session.remove()
        db.engine.dispose()
