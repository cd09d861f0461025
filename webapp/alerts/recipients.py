"""Who gets alert mail (SPEC §10): an organisation's managers, and admins who opted in, each as they chose."""

from __future__ import annotations

from sqlalchemy import Select, and_, or_, select

from webapp.extensions import db
from webapp.models import NotificationPreference, User, user_organizations
from webapp.services import audit
from webapp.services.errors import ValidationError

DEFAULT_MODE = "instant_digest"
MODES = {
    "instant_digest": "Critical alerts at once, and the daily digest",
    "digest": "The daily digest only",
    "off": "No alert mail",
}


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


def set_preference(user: User, mode: str, *, admin_opt_in: bool = False) -> bool:
    """Store how `user` wants alert mail (audited); False when nothing changed. Only an admin's opt-in
    counts (managers get their organisations' mail anyway). The caller commits."""
    if mode not in MODES:
        raise ValidationError("email", "Choose one of the offered ways to get alert mail.")
    current = preference_of(user)
    opt_in = bool(admin_opt_in) and user.role == "admin"
    before = {"email": current.email, "admin_opt_in": bool(current.admin_opt_in)}
    after = {"email": mode, "admin_opt_in": opt_in}
    if before == after:
        return False
    current.email, current.admin_opt_in = mode, opt_in
    db.session.add(current)
    audit.record("alert_mail_changed", f"user:{user.id}", {"before": before, "after": after}, actor=user)
    return True
