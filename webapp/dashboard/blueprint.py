"""The dashboard blueprint object; its views register on it (webapp/dashboard/__init__.py imports them)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.queries.organizations import visible_organization

bp = Blueprint("dashboard", __name__)


@bp.before_request
def options_reveal_no_organisation() -> Response | None:
    """Flask answers OPTIONS itself, without the view and its 404 check: ask the same question here."""
    organization_id = (request.view_args or {}).get("organization_id")
    if request.method != "OPTIONS" or organization_id is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if visible_organization(current_user, organization_id) is None:
        abort(404)
    return None
