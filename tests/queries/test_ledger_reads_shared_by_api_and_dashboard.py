"""Shared read-side queries and the CSV writer used by both the API and the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.factories import make_balance, make_org
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import CostSnapshot
from webapp.queries.balances import balance_history_stmt, latest_balance_stmt
from webapp.queries.costs import (
    cost_months_stmt,
    latest_cost_stmt,
    unattributed_difference,
    usage_lines_of,
)
from webapp.services.exports import cell, stream_csv

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_latest_balance_and_keyset_history(app):
    org, other = make_org(), make_org()
    for i in range(5):
        make_balance(org, f"{100 - i}.00", at=T0 + timedelta(hours=3 * i))
    make_balance(other, "1.00", at=T0 + timedelta(days=9))
    assert db.session.scalar(latest_balance_stmt(org.id)).amount == Decimal("96")
    page1 = list(db.session.scalars(balance_history_stmt(org.id, limit=2)))
    assert [r.amount for r in page1] == [Decimal("96"), Decimal("97")]
    cursor = (page1[-1].collected_at, page1[-1].id)
    page2 = list(db.session.scalars(balance_history_stmt(org.id, before=cursor, limit=10)))
    assert [r.amount for r in page2] == [Decimal("98"), Decimal("99"), Decimal("100")]
    window = list(
        db.session.scalars(balance_history_stmt(org.id, since=T0 + timedelta(hours=3), until=T0 + timedelta(hours=9)))
    )
    assert [r.amount for r in window] == [Decimal("98"), Decimal("99")]


def snapshot(org, year, month, at, usage_fee, lines):
    row = CostSnapshot(
        organization_id=org.id,
        year=year,
        month=month,
        collected_at=at,
        currency="EUR",
        total=Decimal(usage_fee),
        fees=[{"code": "usage", "name": "Usage", "amount": usage_fee}],
        usage_lines=[
            {
                "service": "Compute",
                "operator_id": None,
                "operator_name": None,
                "quantity": "1.00",
                "unit": "hour",
                "amount": a,
            }
            for a in lines
        ],
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_latest_cost_months_and_unattributed(app):
    org = make_org()
    snapshot(org, 2026, 2, T0 - timedelta(days=2), "5.00", ["5.00"])
    snapshot(org, 2026, 3, T0 + timedelta(hours=3), "10.00", ["4.00"])
    latest = snapshot(org, 2026, 3, T0 + timedelta(hours=6), "12.0042", ["4.00", "7.50"])
    assert db.session.scalar(latest_cost_stmt(org.id, 2026, 3)).id == latest.id
    assert db.session.scalar(latest_cost_stmt(org.id, 2026, 4)) is None
    assert db.session.execute(cost_months_stmt(org.id)).all() == [(2026, 3), (2026, 2)]
    assert unattributed_difference(latest) == Decimal("0.5042")
    assert usage_lines_of(latest)[1].amount == Decimal("7.50")
    assert (Month(2026, 12).start, Month(2026, 12).end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_csv_cells_neutralise_formulas_but_keep_numbers():
    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cell("-cmd") == "'-cmd" and cell("@SUM(A1)") == "'@SUM(A1)" and cell("+1") == "'+1"
    assert cell(Decimal("-3.1")) == "-3.10"
    assert cell(datetime(2026, 3, 1, 9, tzinfo=UTC)) == "2026-03-01T09:00:00Z"
    assert "".join(stream_csv(["a", "b"], [[Decimal("1.5"), "x"]])) == "a,b\r\n1.50,x\r\n"
