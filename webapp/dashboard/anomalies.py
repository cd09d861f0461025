"""Marking a spend anomaly episode expected or unexpected (SPEC §9), from the organisation page's list.

Whoever may open the organisation may mark its episodes (managers: only their organisations; anything
else, a guessed episode id of another organisation included, is a 404)."""

from __future__ import annotations

from flask import Response, abort, request, url_for
from flask_login import current_user, login_required

from webapp.dashboard.access import organization_or_404
from webapp.dashboard.blueprint import bp
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.queries.anomalies import episode_of
from webapp.services.anomalies import mark_episode, parse_mark
from webapp.services.errors import ValidationError
from webapp.web.htmx import redirect_after_post
from webapp.web.notfound import found_or_404


@bp.post("/orgs/<int:organization_id>/anomalies/<int:episode_id>/mark")
@login_required
def mark_anomaly(organization_id: int, episode_id: int) -> Response:
    org = organization_or_404(organization_id)
    episode = found_or_404(episode_of(org.id, episode_id), "There is no such anomaly episode.")
    try:
        mark = parse_mark(request.form.get("mark"))
    except ValidationError as error:
        abort(400, description=error.message)
    mark_episode(episode, mark, current_user, utcnow())
    db.session.commit()
    return redirect_after_post(url_for("dashboard.organization", organization_id=org.id, _anchor="anomalies-heading"))
