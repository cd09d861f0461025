"""Users: create, role, portfolio assignments, deactivation, one-time passwords, time zone — validated and audited,
never locking out the last admin. Used by the admin pages and `flask users` alike; the caller commits."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from webapp.domain.zones import MAX_NAME, is_zone
from webapp.extensions import db
from webapp.models import LoginSession, Organization, User, user_organizations
from webapp.models.types import utcnow
from webapp.models.user import ROLES
from webapp.services import audit
from webapp.services.errors import ValidationError

EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")
MIN_PASSWORD = 12
LAST_ADMIN = "This is the last active admin: make another user an admin first."


@dataclass(frozen=True, slots=True)
class NewUser:
    user: User
    password: str  # shown once, never stored or logged


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _clean_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValidationError("email", f"Not an email address: {email!r}.")
    return email


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError("role", f"Role must be one of {', '.join(ROLES)}.")


def create_user(*, email: str, role: str, password: str, must_change_password: bool = False) -> User:
    """Validate, add and audit a user with an argon2id password hash; the same email twice is refused."""
    email = _clean_email(email)
    _check_role(role)
    if len(password) < MIN_PASSWORD:
        raise ValidationError("password", f"Password must be at least {MIN_PASSWORD} characters.")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ValidationError("email", f"A user with email {email!r} already exists.")
    user = User(email=email, role=role, active=True, must_change_password=must_change_password)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same email created concurrently (a double submit)
        db.session.rollback()
        raise ValidationError("email", f"A user with email {email!r} already exists.") from None
    audit.record("user_created", _label(user), {"role": user.role})
    return user


def invite_user(*, email: str, role: str) -> NewUser:
    """A user with a generated password (shown once) that must be replaced at first sign-in."""
    password = generate_password()
    return NewUser(create_user(email=email, role=role, password=password, must_change_password=True), password)


def change_role(user: User, role: str) -> bool:
    """True if the role changed. Demoting the last active admin is refused."""
    _check_role(role)
    if role == user.role:
        return False
    if user.role == "admin" and user.active and _other_active_admins(user.id) == 0:
        raise ValidationError("role", LAST_ADMIN)
    old, user.role = user.role, role
    audit.record("user_role_changed", _label(user), {"from": old, "to": role})
    return True


def set_active(user: User, active: bool) -> bool:
    """Deactivate (ending every session at once) or reactivate; True if anything changed."""
    if user.active == active:
        return False
    if not active and user.role == "admin" and _other_active_admins(user.id) == 0:
        raise ValidationError("active", LAST_ADMIN)
    user.active = active
    if not active:
        end_login_sessions(user.id)
    audit.record("user_deactivated" if not active else "user_reactivated", _label(user))
    return True


def change_assignments(user: User, organization_ids: set[int]) -> dict[str, list[int]]:
    """Make the user's portfolio exactly these organisations; returns what was added and removed."""
    known = set(db.session.scalars(select(Organization.id).where(Organization.id.in_(organization_ids))))
    if known != organization_ids:
        raise ValidationError("organizations", f"No organisation with id {min(organization_ids - known)}.")
    current = assigned_organization_ids(user.id)
    diff = {"added": sorted(organization_ids - current), "removed": sorted(current - organization_ids)}
    if diff["added"] or diff["removed"]:
        set_assignments(user.id, organization_ids)
        audit.record("assignments_changed", _label(user), diff)
    return diff


def set_time_zone(user: User, name: str | None) -> bool:
    """Show the dashboard to this user in an IANA time zone (SPEC §11); True if it changed. Unknown names: refused."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("time_zone", "Choose a time zone.")
    if len(name) > MAX_NAME or not is_zone(name):
        raise ValidationError(
            "time_zone", f"Not a time zone name: {name[:MAX_NAME]!r}. Use an IANA name such as Europe/Berlin."
        )
    if name == user.time_zone:
        return False
    old, user.time_zone = user.time_zone, name
    audit.record("time_zone_changed", _label(user), {"from": old, "to": name})
    return True


def reset_password(user: User) -> str:
    """A new one-time password (shown once): the user must replace it at next sign-in; every session ends."""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    end_login_sessions(user.id)
    audit.record("password_reset", _label(user))
    return password


def end_login_sessions(user_id: int, *, except_token_hash: str | None = None) -> None:
    """End the user's live sign-ins at once (all, or all but the current one)."""
    statement = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if except_token_hash is not None:
        statement = statement.where(LoginSession.token_hash != except_token_hash)
    db.session.execute(statement.values(ended_at=utcnow()))


def assigned_organization_ids(user_id: int) -> set[int]:
    return set(
        db.session.scalars(select(user_organizations.c.organization_id).where(user_organizations.c.user_id == user_id))
    )


def set_assignments(user_id: int, organization_ids: set[int]) -> None:
    """Make the manager's portfolio exactly `organization_ids` (unaudited: seeding; admins use change_assignments)."""
    current = assigned_organization_ids(user_id)
    if current - organization_ids:
        db.session.execute(
            delete(user_organizations).where(
                user_organizations.c.user_id == user_id,
                user_organizations.c.organization_id.in_(current - organization_ids),
            )
        )
    if organization_ids - current:
        db.session.execute(
            insert(user_organizations),
            [{"user_id": user_id, "organization_id": org_id} for org_id in sorted(organization_ids - current)],
        )


def _other_active_admins(user_id: int) -> int:
    """Locks every active admin row (PostgreSQL; in id order, so two admins demoting each other
    at once serialise instead of both passing), then counts the others."""
    admins = db.session.scalars(
        select(User.id).where(User.role == "admin", User.active).order_by(User.id).with_for_update()
    )
    return sum(1 for admin_id in admins if admin_id != user_id)


def _label(user: User) -> str:
    return f"user {user.id} ({user.email})"
