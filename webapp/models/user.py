"""Dashboard users, their organisation assignments and server-side login sessions."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.domain.zones import DEFAULT_ZONE, MAX_NAME
from webapp.extensions import db
from webapp.models.base import Model
from webapp.models.types import UTCDateTime, utcnow

ROLES = ("admin", "manager")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

user_organizations = Table(
    "user_organizations",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id"), primary_key=True),
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def burn_password_check() -> None:
    """Spend the time of one verification so unknown emails are not faster to reject."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, "not the password")


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set when an admin created the password: the user must choose their own at first sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # IANA name the dashboard shows timestamps in (SPEC §11); money's months and days stay UTC.
    time_zone: Mapped[str] = mapped_column(String(MAX_NAME), default=DEFAULT_ZONE, server_default=DEFAULT_ZONE)

    organizations = relationship("Organization", secondary=user_organizations, lazy="raise")

    # Flask-Login interface. The id stored in the cookie is the login session's
    # token, so ending that session on the server invalidates captured cookies.
    # Set per request by the user loader; not a column (a type comment: the ORM maps annotations).
    session_token = None  # type: str | None
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str | None:
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


class LoginSession(Model):
    """One signed-in browser; logout or deactivation ends it on the server."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


_DUMMY_HASH = _hasher.hash("account-desk-timing-equaliser")
