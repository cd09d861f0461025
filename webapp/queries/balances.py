"""Read side for the balance ledger. Functions take the organisation first and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, tuple_

from webapp.models import BalanceSnapshot, CollectionState


def latest_balance_stmt(organization_id: int) -> Select:
    """The newest snapshot: one backward probe of ix_balance_snapshots_org_collected."""
    return (
        select(BalanceSnapshot)
        .where(BalanceSnapshot.organization_id == organization_id)
        .order_by(BalanceSnapshot.collected_at.desc())
        .limit(1)
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
