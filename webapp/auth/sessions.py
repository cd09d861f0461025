"""Server-side login sessions for Flask-Login.

The cookie carries a random token whose hash is a LoginSession row; ending
that row (logout, deactivation) makes a copied cookie worthless at once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, Response, current_app, request, session, url_for
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from webapp.extensions import db, login_manager
from webapp.models import LoginSession, User
from webapp.models.types import utcnow
from webapp.models.user import hash_token
from webapp.web.htmx import redirect_to


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)


def load_user(token: str) -> User | None:
    """The user of a live login session: not ended, not older than LOGIN_SESSION_HOURS, user active."""
    oldest = utcnow() - timedelta(hours=current_app.config["LOGIN_SESSION_HOURS"])
    user = db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == hash_token(token),
            LoginSession.ended_at.is_(None),
            LoginSession.created_at >= oldest,
            User.active,
        )
    )
    if user is not None:
        user.session_token = token
    return user


def unauthorized() -> Response:
    return redirect_to(url_for("auth.login", next=request.full_path.rstrip("?")), htmx_status=401)


def start_session(user: User) -> None:
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=hash_token(token)))
    db.session.commit()
    session.clear()  # no state from before sign-in survives it
    user.session_token = token
    login_user(user)


def end_session(user: User) -> None:
    if user.session_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == hash_token(user.session_token))
            .values(ended_at=utcnow())
        )
        db.session.commit()
    logout_user()
    session.clear()
