"""The portfolio's alert badges (SPEC §10): an organisation with open alerts shows how many, coloured by the
worst level and linked to the alerts page; one without shows none; a manager sees only theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.dashboard_data import signed_in, table_rows
from tests.factories import make_org
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.extensions import db
from webapp.providers import BalanceReading


def collect(org, amount: str) -> None:
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    write_checks(org.id, balances=[BalanceCheck(at, BalanceReading(Decimal(amount), "EUR"))])


def test_open_alerts_show_as_a_badge_on_their_row_only(app, client):
    red, calm = make_org(name="Red Org"), make_org(name="Calm Org")
    collect(red, "-5")
    db.session.commit()
    signed_in(client, organizations=[red, calm])
    rows = table_rows(client.get("/").get_data(as_text=True))
    [red_row] = [row for row in rows if "Red Org" in row]
    [calm_row] = [row for row in rows if "Calm Org" in row]
    assert 'class="badge bad alert-badge" href="/alerts"' in red_row and "alert" in red_row
    assert "alert-badge" not in calm_row  # never collected: stale only once evaluated, no state yet
