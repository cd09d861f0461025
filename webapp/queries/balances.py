"""Read side for the balance ledger. Functions take the organisation first and never commit."""

from __future__ import annotations

from sqlalchemy import Select, select

from webapp.models import BalanceSnapshot


def latest_balance_stmt(organization_id: int) -> Select:
    """The newest snapshot: one probe of ix_balance_snapshots_org_collected."""
    return (
        select(BalanceSnapshot)
        .where(BalanceSnapshot.organization_id == organization_id)
        .order_by(BalanceSnapshot.collected_at.desc())
        .limit(1)
    )
