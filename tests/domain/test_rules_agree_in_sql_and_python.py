"""Each rule the portfolio sorts or filters by (overdrawn, low balance, runway, stale), as a Python predicate
and as SQL, gives the same answer on the same stored rows (run on SQLite and PostgreSQL by the app fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from tests.factories import make_balance, make_org
from webapp.domain import balance as rules
from webapp.domain.freshness import is_stale, stale_before, stale_before_sql
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionState, CostSnapshot, Organization

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
# (balance, currency, threshold, 30-day spend or None, spend currency)
CASES = [
    ("100.00", "EUR", "50.00", "300.00", "EUR"),  # 10 days of runway: short
    ("100.00", "EUR", "100.00", "30.00", "EUR"),  # at the threshold: not low; 100 days
    ("99.99999999", "EUR", "100.00", "0", "EUR"),  # just under; no spend: no runway
    ("-0.01", "EUR", None, "30.00", "EUR"),  # overdrawn, no threshold; runway floors at 0
    ("0", "EUR", "0", "30.00", "USD"),  # zero is not overdrawn; other currency: no runway
    ("-0", "EUR", "10", None, None),  # negative zero; no cost data at all
    ("5000000000.5", "GBP", "0.00000001", "-12.00", "GBP"),  # refunds: negative spend, no runway
    ("420.00", "EUR", "500", "420.00", "EUR"),  # exactly 30 days
    ("14.00", "EUR", None, "30.00", "EUR"),  # exactly 14 days: not short
]


def _store(case: tuple[str, str, str | None, str | None, str | None]) -> Organization:
    amount, currency, threshold, spend, spend_currency = case
    org = make_org(low_balance_threshold=None if threshold is None else Decimal(threshold))
    make_balance(org, amount, currency=currency, at=NOW)
    if spend is not None:
        cost = CostSnapshot(
            organization_id=org.id, year=2026, month=3, collected_at=NOW, currency=spend_currency,
            total=Decimal(spend), fees=[], usage_lines=[],
        )  # fmt: skip
        db.session.add(cost)
    db.session.flush()
    return org


def test_overdrawn_low_balance_and_runway_agree(app):
    for case in CASES:
        _store(case)
    runway = rules.runway_sql(
        BalanceSnapshot.amount,
        CostSnapshot.total,
        balance_currency=BalanceSnapshot.currency,
        spend_currency=CostSnapshot.currency,
    )
    statement = (
        select(
            BalanceSnapshot.amount,
            BalanceSnapshot.currency,
            Organization.low_balance_threshold,
            CostSnapshot.total,
            CostSnapshot.currency,
            rules.overdrawn_sql(BalanceSnapshot.amount),
            rules.low_balance_sql(BalanceSnapshot.amount, Organization.low_balance_threshold),
            runway,
            rules.short_runway_sql(runway),
        )
        .join(Organization, Organization.id == BalanceSnapshot.organization_id)
        .outerjoin(CostSnapshot, CostSnapshot.organization_id == Organization.id)
        .order_by(Organization.id)
    )
    rows = db.session.execute(statement).all()
    assert len(rows) == len(CASES)
    for amount, currency, threshold, spend, spend_currency, overdrawn, low, days, short in rows:
        expected_days = rules.runway_days(amount, spend, balance_currency=currency, spend_currency=spend_currency)
        assert bool(overdrawn) is rules.is_overdrawn(amount), amount
        assert bool(low) is rules.is_low_balance(amount, threshold), (amount, threshold)
        assert (days is None) is (expected_days is None), (amount, spend)
        if days is not None:
            assert abs(Decimal(str(days)) - expected_days) < Decimal("0.000001")
        assert bool(short) is rules.is_short_runway(expected_days), (amount, spend)


def test_stale_agrees(app):
    interval = 6.0
    checks = [None, NOW, NOW - timedelta(hours=11, minutes=59), NOW - timedelta(hours=12), NOW - timedelta(days=40)]
    for checked in checks:
        org = make_org()
        db.session.add(CollectionState(organization_id=org.id, kind="balances", last_success_at=checked))
    db.session.flush()
    stale = stale_before_sql(CollectionState.last_success_at, stale_before(NOW, interval))
    rows = db.session.execute(
        select(CollectionState.last_success_at, stale).order_by(CollectionState.organization_id)
    ).all()
    assert [checked for checked, _ in rows] == checks
    for checked, sql_stale in rows:
        assert bool(sql_stale) is is_stale(checked, now=NOW, interval_hours=interval), checked
    assert [bool(s) for _, s in rows] == [True, False, False, False, True]
