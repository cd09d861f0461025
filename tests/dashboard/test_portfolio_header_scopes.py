"""The portfolio's header is an aggregate over the summaries alone (no join to the organisations) beside the number
of visible organisations, and a filter only a summary row can meet is paged by name from the summaries alone
(webapp/queries/portfolio_header.py, portfolio_walk.summaries_by_name). Both are held here to the rows of the
unpaged statement (the organisations joined to their summaries, every one listed): the same groups and counts,
the same pages, for every scope (admin, manager, an admin looking at a manager's, a search, a currency),
organisations never collected included."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from tests.factories import make_org, make_user
from webapp.domain.freshness import stale_before
from webapp.extensions import db
from webapp.models import Organization, OrganizationSummary
from webapp.models.types import utcnow
from webapp.queries.portfolio import FILTERS, PortfolioRow, portfolio_all, portfolio_page, portfolio_statement
from webapp.queries.portfolio_header import PortfolioParams, header

HOURS = 3.0
NOW = utcnow().replace(microsecond=0)
TODAY = NOW.date()
# name, threshold, currency, balance, hours since checked, days until it runs out (None: NULL / no summary row)
ORGS = [
    ("Alpha", "50", "EUR", "20.00", 1, 40),  # low
    ("alpha", "1", "EUR", "-5.00", 1, None),  # overdrawn and low
    ("Beta", None, "USD", "300.00", 9, 5),  # stale, runs out soon
    ("beta", "10", "USD", "5.00", 1, 3),  # low, runs out soon
    ("Gamma", None, "EUR", "800.00", 1, 90),  # fine
    ("Delta", None, "EUR", None, None, None),  # a summary with nothing collected yet
    ("Zeta", None, "USD", "-1.00", 30, None),  # overdrawn and stale
    ("Theta", "5", "EUR", "4.00", 1, 1),  # low, runs out soon
    ("Epsilon", None, None, None, None, None),  # never collected: no summary row
    ("Eta", "100", None, None, None, None),  # never collected either
]


@pytest.fixture
def portfolio(app):
    """The organisations of ORGS with their summaries as given; a manager with every other one; an admin."""
    orgs = []
    for name, threshold, currency, balance, checked, runs_out in ORGS:
        org = make_org(name=name, low_balance_threshold=None if threshold is None else Decimal(threshold))
        orgs.append(org)
        if currency is None:
            continue
        values = {
            "organization_id": org.id,
            "balance_currency": None if balance is None else currency,
            "balance_amount": None if balance is None else Decimal(balance),
            "checked_at": None if checked is None else NOW - timedelta(hours=checked),
            "runs_out_on": None if runs_out is None else TODAY + timedelta(days=runs_out),
        }
        db.session.execute(insert(OrganizationSummary.__table__), [values])
    manager = make_user(role="manager", organizations=orgs[::2])
    return make_user(role="admin"), manager


def scopes(admin, manager):
    return [
        (admin, PortfolioParams()),
        (manager, PortfolioParams()),
        (admin, PortfolioParams(manager=manager.id)),
        (admin, PortfolioParams(q="TA")),
        (manager, PortfolioParams(q="a")),
        (admin, PortfolioParams(q="nothing like it")),
    ]


def listed(user, params: PortfolioParams) -> list[PortfolioRow]:
    return list(portfolio_all(user, params, now=NOW, interval_hours=HOURS))


def kept_by(row: PortfolioRow) -> dict[str, bool]:
    rule = {
        "overdrawn": row.overdrawn,
        "low-balance": row.low_balance,
        "stale": row.stale,
        "short-runway": row.short_runway,
    }
    return {"attention": any(rule.values()), **rule}


def test_the_header_is_what_the_listed_rows_add_up_to_in_every_scope(portfolio):
    admin, manager = portfolio
    for user, params in scopes(admin, manager):
        rows = listed(user, params)
        expected = {}
        for currency in sorted({row.currency for row in rows}, key=lambda c: (c is None, c or "")):
            mine = [row for row in rows if row.currency == currency]
            counts = Counter({"all": len(mine)})
            counts.update(name for row in mine for name, kept in kept_by(row).items() if kept)
            amounts = [row.amount for row in mine if row.amount is not None]
            balance = sum(amounts, Decimal(0)) if amounts else None
            expected[currency] = (balance, {name: counts[name] for name in ("all", *FILTERS)})
        groups = header(user, params, now=NOW, stale_at=stale_before(NOW, HOURS))
        assert {group.currency: (group.balance, group.counts) for group in groups} == expected, params
        assert [group.currency for group in groups] == list(expected)  # by code, no currency last
    assert {group.currency for group in header(admin, PortfolioParams(), now=NOW, stale_at=NOW)} == {
        "EUR",
        "USD",
        None,
    }


def unseen_in(user, scope: PortfolioParams, stale_at, told: bool) -> bool | None:
    """What portfolio_page tells the statement (the header's count of organisations never collected), or nothing."""
    groups = header(user, scope, now=NOW, stale_at=stale_at)
    return any(group.never_collected for group in groups) if told else None


def test_the_header_counts_the_organisations_never_collected_in_its_scope(portfolio):
    admin, manager = portfolio
    stale_at = stale_before(NOW, HOURS)
    summarized = set(db.session.scalars(select(OrganizationSummary.organization_id)))
    for user, scope in scopes(admin, manager):
        never = sum(1 for row in listed(user, scope) if row.id not in summarized)
        assert sum(group.never_collected for group in header(user, scope, now=NOW, stale_at=stale_at)) == never
    told = {unseen_in(user, scope, stale_at, True) for user, scope in scopes(admin, manager)}
    assert told == {True, False}  # the pages below are paged both with and without that part


@pytest.mark.parametrize("told", [True, False], ids=["header-told", "unknown"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", [None, *FILTERS], ids=["all", *FILTERS])
def test_a_filter_by_name_pages_as_the_whole_list_in_every_scope(portfolio, key, desc, told):
    admin, manager = portfolio
    stale_at = stale_before(NOW, HOURS)
    for user, scope in scopes(admin, manager):
        params = PortfolioParams(q=scope.q, manager=scope.manager, filter=key, desc=desc)
        whole = [row.id for row in listed(user, params)]
        if not desc:
            assert whole == [row.id for row in listed(user, scope) if key is None or kept_by(row)[key]]
        unseen = unseen_in(user, scope, stale_at, told)
        pages = []
        for number in range(1, len(whole) // 2 + 3):
            paged = PortfolioParams(q=scope.q, manager=scope.manager, filter=key, desc=desc, page=number, per_page=2)
            statement = portfolio_statement(user, paged, NOW, stale_at, unseen=unseen)
            pages += [row.id for row in db.session.execute(statement)]
        assert pages == whole, (key, scope)
    euros = PortfolioParams(currency="EUR", filter=key, desc=desc, per_page=2)
    first = [row.id for row in db.session.execute(portfolio_statement(admin, euros, NOW, stale_at))]
    assert first == [row.id for row in listed(admin, euros)][:2]


def test_a_search_finds_an_organisation_by_its_new_name_in_the_header_and_the_rows(portfolio):
    """The search reads the summary's copy of the name (sort_name, kept by a trigger): a rename reaches it."""
    admin, _ = portfolio
    gamma = db.session.scalars(select(Organization).where(Organization.name == "Gamma")).one()
    gamma.name = "Renamed Omega"
    db.session.flush()
    searched = PortfolioParams(q="OMEGA")
    groups = header(admin, searched, now=NOW, stale_at=stale_before(NOW, HOURS))
    assert [(group.currency, group.counts["all"], group.balance) for group in groups] == [("EUR", 1, Decimal("800"))]
    shown = portfolio_page(admin, searched, now=NOW, interval_hours=HOURS)
    assert [row.name for row in shown.rows] == ["Renamed Omega"]
    assert header(admin, PortfolioParams(q="gamma"), now=NOW, stale_at=stale_before(NOW, HOURS)) == []
