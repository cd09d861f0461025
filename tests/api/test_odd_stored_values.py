"""The API's JSON and CSV of data already stored never fail on an odd stored value (issue 10 point 2)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import Tenant, at
from tests.odd_values import ODD_VALUES, store_odd_cost
from webapp.extensions import db


@pytest.mark.parametrize("odd", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_costs_json_and_usage_csv_survive_an_odd_stored_value(client, tenant_a: Tenant, odd):
    store_odd_cost(tenant_a.org, 2026, 3, at(10), odd)
    db.session.commit()

    latest = client.get("/api/v1/costs/latest?year=2026&month=3", headers=tenant_a.headers)
    assert latest.status_code == 200
    assert [line["service"] for line in latest.get_json()["usage_lines"]] == ["Odd", "Voice"]

    usage = client.get("/api/v1/costs/usage-lines.csv?year=2026&month=3", headers=tenant_a.headers)
    assert usage.status_code == 200
    rows = list(csv.reader(io.StringIO(usage.get_data(as_text=True))))
    assert [row[4] for row in rows[1:]] == ["Odd", "Voice"]  # not cut mid-stream
