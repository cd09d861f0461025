"""Who gets alert mail (SPEC §10): an organisation's managers, and admins who opted in, each as they chose."""

from __future__ import annotations

from sqlalchemy import Select, and_, or_, select

from webapp.extensions import db
from webapp.models import NotificationPreference, User, user_organizations

DEFAULT_MODE = "instant_digest"


def preference_of(user: User) -> NotificationPreference:
    """The stored preference, or the default (not added to the session)."""
    stored = db.session.get(NotificationPreference, user.id)
    return stored or NotificationPreference(user_id=user.id, email=DEFAULT_MODE, admin_opt_in=False)


def _wanting(modes: tuple[str, ...]) -> Select[User]:
    """Active users whose mail mode is one of `modes` (no stored preference: the default) and who
    receive alert mail at all: managers, and admins who opted in."""
    pref = NotificationPreference
    mode_ok = or_(pref.email.in_(modes), pref.user_id.is_(None)) if DEFAULT_MODE in modes else pref.email.in_(modes)
    role_ok = or_(User.role == "manager", and_(User.role == "admin", pref.admin_opt_in.is_(True)))
    return (
        select(User)
        .outerjoin(pref, pref.user_id == User.id)
        .where(User.active.is_(True), mode_ok, role_ok)
        .order_by(User.id)
    )


def instant_recipients(organization_id: int) -> list[User]:
    """Who gets a critical event of this organisation at once: its managers and opted-in admins who chose
    instant mail."""
    assigned = select(user_organizations.c.user_id).where(user_organizations.c.organization_id == organization_id)
    query = _wanting(("instant_digest",)).where(or_(User.role == "admin", User.id.in_(assigned)))
    return list(db.session.scalars(query))


def digest_recipients() -> list[User]:
    """Everyone who wants the daily digest (managers, opted-in admins; not those who chose "off")."""
    return list(db.session.scalars(_wanting(("instant_digest", "digest"))))
