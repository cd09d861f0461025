"""What a signed-in manager may open: the organisations assigned to them (admins: all)."""

from __future__ import annotations

from flask_login import current_user

from webapp.models import Organization
from webapp.queries.organizations import visible_organization
from webapp.web.notfound import found_or_404


def organization_or_404(organization_id: int) -> Organization:
    """Managers reach only their assigned organisations; anything else is a 404, guessed ids included."""
    return found_or_404(
        visible_organization(current_user, organization_id),
        "There is no organisation with that number that you can see.",
    )
