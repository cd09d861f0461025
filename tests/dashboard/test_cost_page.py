"""Monthly cost page (issue 5 §3): picker, breakdown, shares, comparison, unattributed, CSV, bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.dashboard_data import line, make_cost, page_text, signed_in
from tests.factories import make_org
from webapp.models.types import utcnow
from webapp.queries.costs import compare_with_previous_month

ANA, BO = ("op-1", "Ana"), ("op-2", "Bo")


def seed_closed_months(org):
    """February and March 2026 (both closed), March with an unattributed difference."""
    make_cost(org, 2026, 2, datetime(2026, 2, 10, tzinfo=UTC), [line("Compute", "40.00", operator=ANA)])
    make_cost(org, 2026, 2, datetime(2026, 3, 2, tzinfo=UTC), [line("Compute", "100.00", operator=ANA)])
    make_cost(org, 2026, 3, datetime(2026, 3, 5, tzinfo=UTC), [line("Compute", "10.00", operator=ANA)])
    return make_cost(
        org,
        2026,
        3,
        datetime(2026, 4, 1, 3, tzinfo=UTC),
        [
            line("Compute", "60.00", operator=ANA, quantity="1200.5"),
            line("Storage", "30.00", operator=BO, unit="GB"),
            line("Storage", "10.00"),
        ],
        usage_fee="105.00",
        other_fees=[("subscription", "Subscription", "20.00")],
    )


def test_breakdown_of_a_closed_month(app, client):
    org = make_org()
    snapshot = seed_closed_months(org)
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}/costs?month=2026-03").get_data(as_text=True)
    text = page_text(page)
    assert "Costs for 2026-03" in page and ">closed<" in page
    assert "€125.00" in page  # total = usage 105 + subscription 20
    assert "Subscription" in page and "€20.00" in page
    fees = page.split('id="fees-heading"', 1)[1].split("</table>", 1)[0]
    assert "of which unattributed" in fees and "€5.00" in fees  # 105 − (60 + 30 + 10), inside the usage fee
    assert "Usage usage" not in page and ">Usage<" in fees and ">Subscription<" in fees  # names, not codes
    assert "60.0 %" in page and "30.0 %" in page and "10.0 %" in page  # shares of the itemised €100
    assert "no operator given" in page
    assert "1,200.5" in page
    assert "+€25.00" in text and "against 2026-02, whole month: €100.00" in text
    assert f"snapshot={snapshot.id}" in page
    assert '<option value="2026-03" selected>2026-03 · closed</option>' in page
    assert '<option value="2026-02">2026-02 · closed</option>' in page


def test_a_month_collected_only_after_it_ended_says_so_instead_of_an_empty_chart(app, client):
    """The months a first collection fetches (or one collected by hand later): one report of the whole month,
    collected outside the month's axis. A month that accrued keeps its chart."""
    org = make_org()
    seed_closed_months(org)  # March: one snapshot on March 5th, one after it ended
    make_cost(org, 2025, 6, datetime(2026, 4, 1, 3, tzinfo=UTC), [line("Compute", "70.00")])
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}/costs?month=2025-06").get_data(as_text=True)
    assert 'id="reported-after"' in page and "no accrual to draw" in page and "2026-04-01 03:00" in page
    assert 'aria-labelledby="accrual-heading"' in page and "Step chart of the month" not in page
    accrued = client.get(f"/orgs/{org.id}/costs?month=2026-03").get_data(as_text=True)
    assert 'id="reported-after"' not in accrued and "Step chart of the month" in accrued


def test_month_picker_swaps_only_the_breakdown(app, client):
    org = make_org()
    seed_closed_months(org)
    signed_in(client, role="admin")
    response = client.get(f"/orgs/{org.id}/costs?month=2026-02", headers={"HX-Request": "true"})
    partial = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in partial and '<section id="cost-breakdown"' in partial
    assert "<title>Costs 2026-02 · " in partial  # htmx updates the tab title (and history entry) from it
    assert 'data-month="2026-02"' in partial and "€100.00" in partial
    assert 'hx-push-url="true"' in partial and "?month=2026-03" in partial  # next month link
    assert "—" in partial and "nothing to compare with" in partial  # January has no data
    # a history restore (back/forward after the cache was emptied) gets the whole page
    restore = client.get(
        f"/orgs/{org.id}/costs?month=2026-02", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.get_data(as_text=True)


def test_lines_are_sortable(app, client):
    org = make_org()
    seed_closed_months(org)
    signed_in(client, role="admin")
    partial = client.get(
        f"/orgs/{org.id}/costs?month=2026-03&sort=service&dir=asc", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    body = partial.split("Usage lines", 1)[1]
    assert body.index("Compute") < body.index("Storage")
    desc = client.get(f"/orgs/{org.id}/costs?month=2026-03&sort=amount&dir=asc").get_data(as_text=True)
    lines = desc.split("Usage lines", 1)[1]
    assert lines.index("€10.00") < lines.index("€30.00") < lines.index("€60.00")
    assert client.get(f"/orgs/{org.id}/costs?month=2026-03&sort=price").status_code == 400


def test_month_without_data_and_bad_months(app, client):
    org = make_org()
    seed_closed_months(org)
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}/costs?month=2025-07").get_data(as_text=True)
    assert "No cost data for 2025-07" in page
    for bad in ("2026-13", "2026-3", "march", "2026-00", "99999-01", "2026-03-01"):
        response = client.get(f"/orgs/{org.id}/costs?month={bad}")
        assert response.status_code == 400, bad
        assert "YYYY-MM" in response.get_data(as_text=True)
    assert client.get(f"/orgs/{org.id}/costs.csv?month=nope").status_code == 400
    assert client.get(f"/orgs/{org.id}/costs.csv").status_code == 400
    assert client.get(f"/orgs/{org.id}/costs.csv?month=2025-07").status_code == 404


def test_default_month_is_the_newest_with_data(app, client):
    org = make_org()
    seed_closed_months(org)
    signed_in(client, role="admin")
    assert 'data-month="2026-03"' in client.get(f"/orgs/{org.id}/costs").get_data(as_text=True)


def test_like_for_like_uses_the_same_elapsed_time(app):
    org = make_org()
    now = utcnow()
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    previous_start = (start - timedelta(days=1)).replace(day=1)
    make_cost(org, previous_start.year, previous_start.month, previous_start + timedelta(hours=6), [line("A", "5.00")])
    make_cost(org, previous_start.year, previous_start.month, start - timedelta(hours=1), [line("A", "900.00")])
    current = make_cost(org, now.year, now.month, start + timedelta(hours=7), [line("A", "8.00")])
    comparison = compare_with_previous_month(org.id, current)
    assert comparison.previous == Decimal("5.00") and not comparison.full_month
    assert comparison.delta == Decimal("3.00")


def test_usage_csv_matches_the_page(app, client):
    org = make_org()
    snapshot = seed_closed_months(org)
    signed_in(client, role="admin")
    response = client.get(f"/orgs/{org.id}/costs.csv?month=2026-03&snapshot={snapshot.id}")
    assert (
        response.mimetype == "text/csv" and f"costs-org{org.id}-2026-03.csv" in response.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    lines = [r for r in rows if r["Kind"] == "Usage line"]
    assert len(lines) == 3 and {r["Currency"] for r in rows} == {"EUR"}
    assert sum(Decimal(r["Amount"]) for r in lines) == Decimal("100.00")  # the page's itemised total
    assert [r["Amount"] for r in rows if r["Kind"] != "Usage line"] == ["5.00", "20.00", "125.00"]  # …and total
    assert lines[2]["Operator ID"] == "" and lines[0]["Quantity"] == "1200.50"
    assert lines[0]["Snapshot collected at (UTC)"] == "2026-04-01 03:00:00"
    older = client.get(f"/orgs/{org.id}/costs.csv?month=2026-03&snapshot={snapshot.id - 1}").get_data(as_text=True)
    assert [row.split(",")[4] for row in older.strip().splitlines()[1:]] == ["Usage line", "Total"]
    assert client.get(f"/orgs/{org.id}/costs.csv?month=2026-02&snapshot={snapshot.id}").status_code == 404


def test_a_snapshot_without_usage_lines_shows_no_empty_service_chart(app, client):
    org = make_org()
    make_cost(org, 2026, 3, datetime(2026, 3, 5, tzinfo=UTC), [], usage_fee="0.00")
    signed_in(client, role="admin")
    page = client.get(f"/orgs/{org.id}/costs?month=2026-03").get_data(as_text=True)
    assert "No usage itemised by service in this snapshot." in page
    assert "Bar chart of usage by service" not in page
    assert "Step chart of the month" in page  # the accrual chart is still drawn
