"""Creating users."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import LoginSession, User, user_organizations
from webapp.models.types import utcnow
from webapp.models.user import ROLES
from webapp.services.errors import ValidationError

EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")
MIN_PASSWORD = 12


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(*, email: str, role: str, password: str) -> User:
    """Validate and add a user with an argon2id password hash; the caller commits."""
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValidationError("email", f"Not an email address: {email!r}.")
    if role not in ROLES:
        raise ValidationError("role", f"Role must be one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise ValidationError("password", f"Password must be at least {MIN_PASSWORD} characters.")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ValidationError("email", f"A user with email {email!r} already exists.")
    user = User(email=email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same email created concurrently (a double submit)
        db.session.rollback()
        raise ValidationError("email", f"A user with email {email!r} already exists.") from None
    return user


def end_login_sessions(user_id: int, *, except_token_hash: str | None = None) -> None:
    """End the user's live sign-ins at once (all, or all but the current one); the caller commits."""
    statement = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if except_token_hash is not None:
        statement = statement.where(LoginSession.token_hash != except_token_hash)
    db.session.execute(statement.values(ended_at=utcnow()))


def assigned_organization_ids(user_id: int) -> set[int]:
    return set(
        db.session.scalars(select(user_organizations.c.organization_id).where(user_organizations.c.user_id == user_id))
    )


def set_assignments(user_id: int, organization_ids: set[int]) -> None:
    """Make the manager's portfolio exactly `organization_ids`; the caller commits."""
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
