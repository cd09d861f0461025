"""A cost snapshot stored before validation tightened (issue 10 point 2) never stops the collection that
keeps the read model: the odd usage line counts in no service, and the read model still checks clean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.factories import make_org
from tests.odd_values import ODD_VALUES, store_odd_cost
from tests.read_model.simulated import Provider, SimulatedAccount
from webapp.collection.rules import collect_costs
from webapp.domain.months import Month
from webapp.read_model.store import differences

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize("odd", ["exponent-text", "nan", "not-a-number", "empty", "large-exponent"])
def test_collection_after_an_odd_stored_snapshot_keeps_the_read_model(app, odd):
    org = make_org()
    store_odd_cost(org, 2026, 3, NOW - timedelta(hours=3), ODD_VALUES[odd])
    account = SimulatedAccount()
    account.totals[Month(2026, 3)] = Decimal("9.50")

    outcome = collect_costs(org.id, 2026, 3, Provider(account), as_of=NOW)

    assert outcome.outcome == "written"
    assert differences(org.id) == []
