"""Pages and CSV exports of data already stored never fail on an odd stored value: they show it or a
placeholder, and a CSV always ends with its last row (issue 10 point 2)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.dashboard_data import signed_in
from tests.factories import make_balance, make_org
from tests.odd_values import HUGE_DIGITS, ODD_VALUES, store_odd_cost
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models.types import utcnow


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("odd", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_every_page_and_export_survives_an_odd_stored_value(app, client, odd):
    now = utcnow()
    month = Month.of(now)
    org = make_org(name="Odd Ltd", low_balance_threshold=None)
    make_balance(org, "-0", at=now - timedelta(days=2))
    make_balance(org, "0.12345678", at=now - timedelta(days=1))
    store_odd_cost(org, *month, now - timedelta(hours=1), odd)
    signed_in(client, organizations=[org])
    db.session.commit()

    for path in ("/", f"/orgs/{org.id}", f"/orgs/{org.id}/costs", f"/orgs/{org.id}/costs?month={month}&sort=quantity"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert HUGE_DIGITS[:200] not in response.get_data(as_text=True)

    page = client.get(f"/orgs/{org.id}/costs").get_data(as_text=True)
    assert "Odd" in page and "Voice" in page and "€2.50" in page  # the sane line is still shown

    usage = _csv_rows(client.get(f"/orgs/{org.id}/costs.csv?month={month}"))
    assert {row[5] for row in usage[1:] if row[4] == "Usage line"} == {"Odd", "Voice"}  # both lines
    assert usage[-1][4:6] == ["Total", "Total"]  # the last row is there
    assert _csv_rows(client.get("/portfolio.csv"))[1][1] == "Odd Ltd"
    assert len(_csv_rows(client.get(f"/orgs/{org.id}/balance.csv"))) == 3


def test_an_odd_value_is_shown_as_a_placeholder_and_a_sane_one_as_it_is(app, client):
    now = utcnow()
    org = make_org(name="Odd Ltd")
    store_odd_cost(org, *Month.of(now), now - timedelta(hours=1), "NaN")
    other = make_org(name="Exact Ltd")
    store_odd_cost(other, *Month.of(now), now - timedelta(hours=1), "0.12345678")
    signed_in(client, organizations=[org, other])
    db.session.commit()

    assert "invalid value" in client.get(f"/orgs/{org.id}/costs").get_data(as_text=True)
    exact = client.get(f"/orgs/{other.id}/costs").get_data(as_text=True)
    # the currency's usual decimals on screen, the exact stored value in the title
    assert "€0.12<" in exact and 'title="0.12345678 EUR"' in exact and "invalid value" not in exact
    cells = _csv_rows(client.get(f"/orgs/{other.id}/costs.csv?month={Month.of(now)}"))
    assert ["Odd", "", "op-1", "Op", "0.12345678", "msg", "0.12345678", "EUR"] in [row[5:] for row in cells]
