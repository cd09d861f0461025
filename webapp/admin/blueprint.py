"""The admin blueprint object and its gate: admins only, for every method; views register on bp."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from webapp.extensions import csrf, login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")
csrf.exempt(bp)  # checked in admins_only, after the role, so a non-admin's POST is a 404 like any other
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@bp.before_request
def admins_only() -> Response | None:
    """Anyone else is sent to sign in (anonymous) or told nothing exists here (404), for every method."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(404)  # Flask's own 404, word for word: an admin URL looks like no URL at all
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


@bp.before_app_request
def admin_urls_are_admins_only() -> Response | None:
    """Requests under /admin that match no admin view (a method the rule does not allow, an unknown path)
    never reach the blueprint's check: without this a non-admin would see a 405 where admins see one too."""
    if request.blueprint == "admin" or not (request.path == "/admin" or request.path.startswith("/admin/")):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(404)
    return None
