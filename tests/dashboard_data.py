"""Factories for the dashboard tests: cost snapshots, collection states, logged-in clients."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from tests.factories import make_user
from tests.helpers import login
from webapp.domain.money import format_amount
from webapp.extensions import db
from webapp.models import CollectionState, CostSnapshot, Organization, OrganizationDailyFigure
from webapp.models.types import utcnow

XSS = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x")'


def line(
    service: str, amount: str, *, operator: tuple[str, str] | None = None, quantity: str = "1", unit: str = "hour"
):
    return {
        "service": service,
        "operator_id": operator[0] if operator else None,
        "operator_name": operator[1] if operator else None,
        "quantity": quantity,
        "unit": unit,
        "amount": amount,
    }


def in_month(now: datetime, before: timedelta) -> datetime:
    """`before` earlier than `now`, but not before now's month began: where a snapshot of now's month is collected
    (tests also run in a month's first hours, when an hour ago was last month)."""
    from webapp.domain.months import Month

    return max(now - before, Month.of(now).start)


def make_cost(
    org: Organization,
    year: int,
    month: int,
    at: datetime,
    lines: list[dict],
    *,
    usage_fee: str | None = None,
    other_fees: list[tuple[str, str, str]] = (),
    currency: str = "EUR",
) -> CostSnapshot:
    """A snapshot whose usage fee is the lines' sum unless given; total = all fees."""
    lines_total = sum((Decimal(item["amount"]) for item in lines), Decimal(0))
    usage = Decimal(usage_fee) if usage_fee is not None else lines_total
    fees = [{"code": "usage", "name": "Usage", "amount": format_amount(usage)}]
    fees += [{"code": code, "name": name, "amount": amount} for code, name, amount in other_fees]
    total = sum((Decimal(fee["amount"]) for fee in fees), Decimal(0))
    row = CostSnapshot(
        organization_id=org.id,
        year=year,
        month=month,
        collected_at=at,
        currency=currency,
        total=total,
        fees=fees,
        usage_lines=lines,
    )
    db.session.add(row)
    db.session.flush()
    return row


def mark_checked(org: Organization, at: datetime | None = None, kind: str = "balances") -> None:
    moment = at or utcnow()
    db.session.add(CollectionState(organization_id=org.id, kind=kind, last_attempt_at=moment, last_success_at=moment))
    db.session.flush()


def signed_in(client, *, role: str = "manager", organizations: list[Organization] = ()):
    user = make_user(role=role, organizations=list(organizations))
    db.session.commit()
    response = login(client, user.email)
    assert response.status_code == 302
    return user


def table_rows(html: str) -> list[str]:
    """The rows of the first table body of a page, as HTML."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return list(body.split("<tr>")[1:])


def page_text(html: str) -> str:
    """What a reader sees: the page without its tags (amounts carry their exact value in a title)."""
    return re.sub(r"<[^>]+>", "", html)


def make_daily_spend(
    org: Organization, *, last: date, days: int, spend: str, closing_last: str, then_top_up: str | None = None
) -> None:
    """`days` read-model days up to `last`, each spending `spend` (all usage, one service) with no
    top-ups, so the closing balance falls by `spend` a day to `closing_last`; call it after the snapshots
    (their write refreshes the read model): it replaces the days they derived. `then_top_up`: the day
    after `last` also spends `spend` and has this top-up."""
    amount, top_up = Decimal(spend), Decimal(then_top_up or 0)
    rows = [(last - timedelta(days=back), Decimal(closing_last) + amount * back, Decimal(0)) for back in range(days)]
    if then_top_up is not None:
        rows.append((last + timedelta(days=1), Decimal(closing_last) - amount + top_up, top_up))
    for day, closing, top_ups in rows:
        db.session.merge(
            OrganizationDailyFigure(
                organization_id=org.id,
                day=day,
                closing_balance=closing,
                balance_currency="EUR",
                top_ups=top_ups,
                spend=amount,
                spend_currency="EUR",
                spend_by_service={"Compute": format_amount(amount)},
            )
        )
    db.session.flush()


def make_spending(
    org: Organization,
    *,
    balance: str,
    daily: str,
    now: datetime,
    days: int = 10,
    currency: str = "EUR",
    cost_currency: str | None = None,
) -> Decimal:
    """`days` days of history ending with `balance` at `now` minus an hour: each day at that time a balance
    snapshot `daily` lower than the day before and a cost snapshot `daily` higher (the month's total), so the
    depletion forecast sees a steady spend of `daily` a day (the ledger's first day is its baseline).
    Returns the cost of now's month."""
    from datetime import timedelta

    from webapp.domain.months import Month
    from webapp.models import BalanceSnapshot

    last = now - timedelta(hours=1)
    totals: dict[Month, Decimal] = {}
    for back in range(days - 1, -1, -1):
        moment = last - timedelta(days=back)
        amount = Decimal(balance) + Decimal(daily) * back
        db.session.add(BalanceSnapshot(organization_id=org.id, amount=amount, currency=currency, collected_at=moment))
        month = Month.of(moment)
        totals[month] = totals.get(month, Decimal(0)) + Decimal(daily)
        make_cost(
            org,
            month.year,
            month.month,
            moment,
            [line("A", format_amount(totals[month]))],
            currency=cost_currency or currency,
        )
    db.session.flush()
    return totals.get(Month.of(now), Decimal(0))
