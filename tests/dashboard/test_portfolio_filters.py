"""Portfolio filters (issue 12 point 2): needs attention, overdrawn, low balance, stale, short runway;
URL state, htmx swap, plain links, counts from one aggregate; every variant reads the read model."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.dashboard_data import make_spending, mark_checked, signed_in, table_rows
from tests.factories import make_balance, make_org
from tests.helpers import selects, sql_statements
from webapp.models.types import utcnow
from webapp.queries.portfolio import FILTERS, SORTS


def _names(html: str) -> list[str]:
    return [r.split("</a>")[0].rsplit(">", 1)[1] for r in table_rows(html)]


@pytest.fixture
def orgs(app):
    now = utcnow()
    fine = make_org(name="Fine", low_balance_threshold=Decimal("10"))
    make_balance(fine, "1000.00", at=now - timedelta(hours=2))
    mark_checked(fine, now)
    overdrawn = make_org(name="Overdrawn", low_balance_threshold=None)
    make_balance(overdrawn, "-3.00", at=now - timedelta(hours=2))
    mark_checked(overdrawn, now)
    low = make_org(name="Low", low_balance_threshold=Decimal("500"))
    make_balance(low, "400.00", at=now - timedelta(hours=2))
    mark_checked(low, now)
    stale = make_org(name="Stale")
    make_balance(stale, "800.00", at=now - timedelta(days=3))
    mark_checked(stale, now - timedelta(hours=7))
    short = make_org(name="Short")
    make_spending(short, balance="100.00", daily="10.00", now=now)  # runs out in about 10 days
    mark_checked(short, now)
    return now


EXPECTED = {
    "attention": ["Low", "Overdrawn", "Short", "Stale"],
    "overdrawn": ["Overdrawn"],
    "low-balance": ["Low"],
    "stale": ["Stale"],
    "short-runway": ["Short"],
}


@pytest.mark.parametrize("key", FILTERS)
def test_each_filter_keeps_its_organisations_and_shows_counts(client, orgs, key):
    signed_in(client, role="admin")
    html = client.get(f"/?filter={key}").get_data(as_text=True)
    assert _names(html) == EXPECTED[key]
    active = html.split('aria-current="true"', 1)[1].split("</a>", 1)[0]
    assert f">{len(EXPECTED[key])}<span" in active  # the active filter is marked and shows its count
    assert f'href="/?filter={key}"' in html  # a plain link: works without JavaScript
    assert f"{len(EXPECTED[key])} organisation" in html.split('aria-live="polite">', 1)[1]


def test_counts_cover_every_filter_in_one_aggregate(client, orgs):
    signed_in(client, role="admin")
    html = client.get("/", headers={"HX-Request": "true"}).get_data(as_text=True)
    nav = html.split('<nav class="filters"', 1)[1].split("</nav>", 1)[0]
    counts = {"all": 5, **{key: len(names) for key, names in EXPECTED.items()}}
    for key, count in counts.items():
        link = nav.split(f'/?filter={key}"' if key != "all" else 'href="/"', 1)[1].split("</a>", 1)[0]
        assert f">{count}<span" in link, key
    assert 'href="/" hx-get="/" class="filter active" aria-current="true"' in nav


def test_filter_keeps_search_and_sort_and_is_a_partial_for_htmx(client, orgs):
    signed_in(client, role="admin")
    response = client.get("/?q=o&filter=attention&sort=balance&dir=desc", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="portfolio-table"') and "HX-Request" in response.headers["Vary"]
    assert _names(html) == ["Low", "Short", "Overdrawn"]  # "Stale" has no "o"
    assert 'name="filter" value="attention"' in html  # the search form keeps the filter
    assert "filter=attention&amp;sort=cost" in html  # sort links keep it
    csv_rows = client.get("/portfolio.csv?filter=overdrawn").get_data(as_text=True).splitlines()[1:]
    assert any(",Overdrawn," in row for row in csv_rows) and not any("Fine" in row for row in csv_rows)


def test_unknown_filter_is_400(client):
    signed_in(client, role="admin")
    assert client.get("/?filter=rich").status_code == 400


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("key", ["all", *FILTERS])
def test_every_sort_and_filter_reads_only_the_read_model(client, orgs, sort, key):
    signed_in(client, role="admin")
    with sql_statements() as statements:
        response = client.get(f"/?sort={sort}&dir=desc&filter={key}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    reads = selects(statements)
    assert len(reads) <= 4, reads  # session user, counts, rows, open alert badges of the page's rows
    assert not [s for s in reads if "balance_snapshots" in s or "cost_snapshots" in s]
    assert any("organization_summaries" in s for s in reads)
