"""Which organisations a user may see, and the portfolio's rows."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionState, Organization, User, user_organizations


def visible_organizations_stmt(user: User) -> Select:
    """Admins see every organisation; managers only those assigned to them."""
    statement = select(Organization)
    if not user.is_admin:
        statement = statement.join(user_organizations, user_organizations.c.organization_id == Organization.id).where(
            user_organizations.c.user_id == user.id
        )
    return statement


def portfolio_rows(user: User) -> list:
    """Visible organisations with their latest balance and last balance check."""
    visible = visible_organizations_stmt(user).subquery()
    newest = (
        select(BalanceSnapshot.organization_id, func.max(BalanceSnapshot.collected_at).label("collected_at"))
        .where(BalanceSnapshot.organization_id.in_(select(visible.c.id)))
        .group_by(BalanceSnapshot.organization_id)
        .subquery()
    )
    latest = (
        select(BalanceSnapshot)
        .join(
            newest,
            (newest.c.organization_id == BalanceSnapshot.organization_id)
            & (newest.c.collected_at == BalanceSnapshot.collected_at),
        )
        .subquery()
    )
    checked = select(CollectionState).where(CollectionState.kind == "balances").subquery()
    statement = (
        select(
            visible.c.id,
            visible.c.name,
            visible.c.active,
            latest.c.amount,
            latest.c.currency,
            latest.c.collected_at,
            checked.c.last_success_at.label("last_checked_at"),
        )
        .select_from(visible)
        .outerjoin(latest, latest.c.organization_id == visible.c.id)
        .outerjoin(checked, checked.c.organization_id == visible.c.id)
        .order_by(visible.c.name, visible.c.id)
    )
    return list(db.session.execute(statement))
