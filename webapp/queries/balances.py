"""Read side for the balance ledger: latest balance and its card, history, chart series, movements.
Functions take the organisation first and never commit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Select, select, tuple_

from webapp.domain.balance import is_low_balance, is_overdrawn
from webapp.domain.freshness import is_stale
from webapp.extensions import db
from webapp.models import (
    BalanceSnapshot,
    CollectionState,
    Organization,
    OrganizationDailyFigure,
    OrganizationSummary,
)

RECENT_MOVEMENTS = 15


def latest_balance_stmt(organization_id: int) -> Select:
    """The newest snapshot: one backward probe of ix_balance_snapshots_org_collected."""
    return (
        select(BalanceSnapshot)
        .where(BalanceSnapshot.organization_id == organization_id)
        .order_by(BalanceSnapshot.collected_at.desc())
        .limit(1)
    )


def with_checked_at(latest: Select) -> Select:
    """(snapshot, checked_at): latest_balance_stmt plus, in the same statement, when the balance was
    last checked (the read-model summary, joined by primary key)."""
    return latest.add_columns(OrganizationSummary.checked_at).outerjoin(
        OrganizationSummary, OrganizationSummary.organization_id == BalanceSnapshot.organization_id
    )


def balance_history_stmt(
    organization_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    before: tuple[datetime, int] | None = None,
    limit: int | None = None,
) -> Select:
    """Snapshots newest first; `since`/`until` bound collected_at (inclusive/exclusive),
    `before` is a keyset cursor (collected_at, id) of the last row already seen."""
    statement = select(BalanceSnapshot).where(BalanceSnapshot.organization_id == organization_id)
    if since is not None:
        statement = statement.where(BalanceSnapshot.collected_at >= since)
    if until is not None:
        statement = statement.where(BalanceSnapshot.collected_at < until)
    if before is not None:
        statement = statement.where(tuple_(BalanceSnapshot.collected_at, BalanceSnapshot.id) < tuple_(*before))
    statement = statement.order_by(BalanceSnapshot.collected_at.desc(), BalanceSnapshot.id.desc())
    return statement.limit(limit) if limit is not None else statement


def collection_state_stmt(organization_id: int, kind: str = "balances") -> Select:
    """Freshness of one kind of collection (for balances: last checked, last error)."""
    return select(CollectionState).where(
        CollectionState.organization_id == organization_id, CollectionState.kind == kind
    )


@dataclass(frozen=True, slots=True)
class BalanceCard:
    amount: Decimal | None
    currency: str | None
    since: datetime | None
    checked_at: datetime | None
    last_error: str | None
    stale: bool
    low: bool

    @property
    def overdrawn(self) -> bool:
        return is_overdrawn(self.amount)


def balance_card(organization: Organization, *, now: datetime, interval_hours: float) -> BalanceCard:
    """Latest balance, "unchanged since", "last checked" and the freshness/low-balance rules: one
    statement on the read-model summary (plus the balance check's last error); stale is judged against now."""
    summary = OrganizationSummary
    row = db.session.execute(
        select(summary.balance_amount, summary.balance_currency, summary.balance_changed_at, summary.checked_at)
        .add_columns(CollectionState.last_error)
        .select_from(Organization)
        .outerjoin(summary, summary.organization_id == Organization.id)
        .outerjoin(
            CollectionState,
            (CollectionState.organization_id == Organization.id) & (CollectionState.kind == "balances"),
        )
        .where(Organization.id == organization.id)
    ).one()
    amount, currency, since, checked, last_error = row
    return BalanceCard(
        amount=amount,
        currency=currency,
        since=since,
        checked_at=checked,
        last_error=last_error,
        stale=is_stale(checked, now=now, interval_hours=interval_hours),
        low=is_low_balance(amount, organization.low_balance_threshold),
    )


class BalancePoint(NamedTuple):
    """One change point of the ledger (a tuple: a year of them is built on every chart request)."""

    at: datetime
    amount: Decimal
    currency: str


def balance_series(organization_id: int, since: datetime | None) -> list[BalancePoint]:
    """Change points in the range, oldest first, led by the balance in force at `since`
    (so the step line starts at the left edge with the right value)."""
    statement = balance_history_stmt(organization_id, since=since).with_only_columns(
        BalanceSnapshot.collected_at, BalanceSnapshot.amount, BalanceSnapshot.currency
    )
    points = list(map(BalancePoint._make, db.session.connection().execute(statement)))
    points.reverse()
    if since is not None:
        before = db.session.execute(
            balance_history_stmt(organization_id, until=since, limit=1).with_only_columns(
                BalanceSnapshot.amount, BalanceSnapshot.currency
            )
        ).first()
        if before is not None and (not points or points[0].at > since):
            points.insert(0, BalancePoint(since, before.amount, before.currency))
    return points


class DailyClose(NamedTuple):
    """One UTC day of the read model's daily figures: the balance at the day's end and the day's top-ups."""

    day: date
    closing: Decimal
    currency: str
    top_ups: Decimal


def daily_closes(organization_id: int, since: datetime | None) -> list[DailyClose]:
    """Closing balances per UTC day (organization_daily_figures), oldest first, led by the day before
    `since`'s day (its closing balance is the one in force when the range starts; when no day is that
    recent, the last one there is). Days before the first balance snapshot have no closing balance."""
    figure = OrganizationDailyFigure
    statement = (
        select(figure.day, figure.closing_balance, figure.balance_currency, figure.top_ups)
        .where(figure.organization_id == organization_id, figure.closing_balance.is_not(None))
        .order_by(figure.day)
    )
    if since is None:
        return list(map(DailyClose._make, db.session.connection().execute(statement)))
    rows = db.session.connection().execute(statement.where(figure.day >= since.date() - timedelta(days=1))).all()
    if not rows:  # no day since then (nothing collected lately): the last closing balance is still in force
        rows = db.session.connection().execute(statement.order_by(None).order_by(figure.day.desc()).limit(1)).all()
    return list(map(DailyClose._make, rows))


def first_balance_at(organization_id: int) -> datetime | None:
    """When the balance history starts: one forward probe of ix_balance_snapshots_org_collected."""
    return db.session.scalar(
        select(BalanceSnapshot.collected_at)
        .where(BalanceSnapshot.organization_id == organization_id)
        .order_by(BalanceSnapshot.collected_at)
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class Movement:
    at: datetime
    old: Decimal | None
    new: Decimal
    currency: str

    @property
    def delta(self) -> Decimal | None:
        return None if self.old is None else self.new - self.old


def recent_movements(organization_id: int, limit: int = RECENT_MOVEMENTS) -> list[Movement]:
    """The newest movements of the ledger, each with the amount it replaced."""
    rows = list(db.session.scalars(balance_history_stmt(organization_id, limit=limit + 1)))
    return [_movement(row, rows[i + 1] if i + 1 < len(rows) else None) for i, row in enumerate(rows[:limit])]


def _movement(row: BalanceSnapshot, previous: BalanceSnapshot | None) -> Movement:
    old = previous.amount if previous is not None and previous.currency == row.currency else None
    return Movement(row.collected_at, old, row.amount, row.currency)


def history_with_changes(organization_id: int, since: datetime | None) -> Iterator[Movement]:
    """Every movement in the range, newest first, streamed with a one-row lookahead for the delta."""
    statement = balance_history_stmt(organization_id, since=since).execution_options(yield_per=1000)
    pending: BalanceSnapshot | None = None
    for row in db.session.scalars(statement):
        if pending is not None:
            yield _movement(pending, row)
        pending = row
    if pending is not None:
        previous = db.session.scalar(
            select(BalanceSnapshot)
            .where(
                BalanceSnapshot.organization_id == organization_id, BalanceSnapshot.collected_at < pending.collected_at
            )
            .order_by(BalanceSnapshot.collected_at.desc())
            .limit(1)
        )
        yield _movement(pending, previous)
