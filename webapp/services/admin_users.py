"""Admin changes to users: create, role, assignments, deactivation — audited, never locking out the last admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Organization, User
from webapp.models.user import ROLES
from webapp.services import audit
from webapp.services.errors import ValidationError
from webapp.services.users import (
    assigned_organization_ids,
    create_user,
    end_login_sessions,
    generate_password,
    set_assignments,
)

LAST_ADMIN = "This is the last active admin: make another user an admin first."


@dataclass(frozen=True, slots=True)
class NewUser:
    user: User
    password: str  # shown to the admin once, never stored or logged; the user must replace it at first sign-in


def add_user(*, email: str, role: str) -> NewUser:
    """Create with a generated password (shown once, to be changed at first sign-in); a second identical
    submit is refused (same email)."""
    password = generate_password()
    user = create_user(email=email, role=role, password=password)
    user.must_change_password = True
    audit.record("user_created", _label(user), {"role": user.role})
    db.session.commit()
    return NewUser(user, password)


def _other_active_admins(user_id: int) -> int:
    """Locks every active admin row (PostgreSQL; in id order, so two admins demoting each other
    at once serialise instead of both passing), then counts the others."""
    admins = db.session.scalars(
        select(User.id).where(User.role == "admin", User.active).order_by(User.id).with_for_update()
    )
    return sum(1 for admin_id in admins if admin_id != user_id)


def change_role(user: User, role: str) -> bool:
    """True if the role changed. Demoting the last active admin is refused."""
    if role not in ROLES:
        raise ValidationError("role", f"Role must be one of {', '.join(ROLES)}.")
    if role == user.role:
        return False
    if user.role == "admin" and user.active and _other_active_admins(user.id) == 0:
        raise ValidationError("role", LAST_ADMIN)
    old, user.role = user.role, role
    audit.record("user_role_changed", _label(user), {"from": old, "to": role})
    db.session.commit()
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
    db.session.commit()
    return True


def change_assignments(user: User, organization_ids: set[int]) -> dict[str, list[int]]:
    """Make the user's portfolio exactly these organisations; returns what was added and removed."""
    known = set(db.session.scalars(select(Organization.id).where(Organization.id.in_(organization_ids))))
    if known != organization_ids:
        raise ValidationError("organizations", f"No organisation with id {min(organization_ids - known)}.")
    current = assigned_organization_ids(user.id)
    diff = {"added": sorted(organization_ids - current), "removed": sorted(current - organization_ids)}
    if not diff["added"] and not diff["removed"]:
        return diff
    set_assignments(user.id, organization_ids)
    audit.record("assignments_changed", _label(user), diff)
    db.session.commit()
    return diff


def _label(user: User) -> str:
    return f"user {user.id} ({user.email})"


def reset_password(user: User) -> str:
    """A new one-time password (shown once): the user must replace it at next sign-in; every session ends."""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    end_login_sessions(user.id)
    audit.record("password_reset", _label(user))
    db.session.commit()
    return password
