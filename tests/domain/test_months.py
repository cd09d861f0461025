"""The one YYYY-MM reading behind the dashboard's month picker and the CLI's --month."""

from __future__ import annotations

import pytest

from webapp.domain.months import parse_month


@pytest.mark.parametrize(
    ("text", "expected"), [("2026-03", (2026, 3)), ("2000-01", (2000, 1)), ("2999-12", (2999, 12))]
)
def test_months_in_range_are_read(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026-13", "2026-00", "1999-12", "3000-01", "2026-3", "26-03", "2026-03-01", "march", "", "2026-03\n",
     " 2026-03", "２０２６-０３", "2026/03"],
)  # fmt: skip
def test_anything_else_is_refused(text):
    assert parse_month(text) is None


def test_the_cost_page_takes_the_same_range(app, client):
    from tests.dashboard_data import signed_in
    from tests.factories import make_org

    org = make_org()
    signed_in(client, role="admin")
    assert client.get(f"/orgs/{org.id}/costs?month=2999-12").status_code == 200
    assert client.get(f"/orgs/{org.id}/costs?month=3000-01").status_code == 400


def test_month_arithmetic_crosses_years():
    from datetime import UTC, datetime

    from webapp.domain.months import Month

    december = Month(2025, 12)
    assert december.next == Month(2026, 1) and Month(2026, 1).previous == december
    assert december.shift(-12) == Month(2024, 12) and december.shift(25) == Month(2028, 1)
    assert str(Month(2026, 3)) == "2026-03" and Month(2026, 3).key == "2026-03"
    assert december.start == datetime(2025, 12, 1, tzinfo=UTC) and december.end == datetime(2026, 1, 1, tzinfo=UTC)
    assert december.contains(datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    assert not december.contains(datetime(2026, 1, 1, tzinfo=UTC))
    assert Month.between(datetime(2025, 11, 30, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)) == [
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
    ]
    assert Month(2026, 1).months_until(Month(2025, 11)) == -2
