"""The account managers' dashboard: portfolio, organisation page, monthly costs, CSV exports."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.queries.org_page import visible_organization

bp = Blueprint("dashboard", __name__)


@bp.before_request
def options_reveal_no_organisation():
    """Flask answers OPTIONS itself, without the view and its 404 check: ask the same question here."""
    organization_id = (request.view_args or {}).get("organization_id")
    if request.method != "OPTIONS" or organization_id is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if visible_organization(current_user, organization_id) is None:
        abort(404)
    return None


from webapp.dashboard import assets, costs, filters, organizations, portfolio  # noqa: E402, F401 - registers the views
