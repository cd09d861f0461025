"""The one YYYY-MM reading behind the dashboard's month picker and the CLI's --month."""

from __future__ import annotations

import pytest

from webapp.months import parse_month


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
