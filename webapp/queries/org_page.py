"""The organisation page's reads: access check, balance card, chart series, recent movements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select

from webapp.domain.freshness import stale_before
from webapp.extensions import db
from webapp.models import BalanceSnapshot, Organization, User
from webapp.queries.balances import balance_history_stmt, collection_state_stmt, latest_balance_stmt
from webapp.queries.organizations import visible_organizations_stmt

RANGES: dict[str, timedelta | None] = {
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "1y": timedelta(days=365),
    "all": None,
}
DEFAULT_RANGE = "90d"
RECENT_MOVEMENTS = 15


def visible_organization(user: User, organization_id: int) -> Organization | None:
    """The organisation if this user may see it; None (→ 404) otherwise, guessed ids included."""
    return db.session.scalar(visible_organizations_stmt(user).where(Organization.id == organization_id))


@dataclass(frozen=True, slots=True)
class BalanceCard:
    amount: Decimal | None
    currency: str | None
    since: datetime | None
    checked_at: datetime | None
    last_error: str | None
    stale: bool
    low: bool


def balance_card(organization: Organization, *, now: datetime, interval_hours: float) -> BalanceCard:
    """Latest balance, "unchanged since", "last checked" and the freshness/low-balance rules."""
    latest = db.session.scalar(latest_balance_stmt(organization.id))
    state = db.session.scalar(collection_state_stmt(organization.id, "balances"))
    checked = state.last_success_at if state else None
    threshold = organization.low_balance_threshold
    return BalanceCard(
        amount=latest.amount if latest else None,
        currency=latest.currency if latest else None,
        since=latest.collected_at if latest else None,
        checked_at=checked,
        last_error=state.last_error if state else None,
        stale=checked is None or checked < stale_before(now, interval_hours),
        low=latest is not None and threshold is not None and latest.amount < threshold,
    )


def range_start(range_key: str, now: datetime) -> datetime | None:
    span = RANGES[range_key]
    return None if span is None else now - span


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
    same_currency = previous is not None and previous.currency == row.currency
    return Movement(row.collected_at, previous.amount if same_currency else None, row.amount, row.currency)


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
