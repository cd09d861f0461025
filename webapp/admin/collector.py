"""Collector health and "collect now" with a progress partial that polls until the work is done."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, render_template, url_for
from redis.exceptions import RedisError

from webapp.admin.blueprint import bp
from webapp.admin.forms import ActionForm
from webapp.collection.in_process import collector_status
from webapp.collection.requests import progress, request_collection
from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.models.types import utcnow
from webapp.queries.collector_health import runs_by_kind, stopped_runs, troubled
from webapp.queries.organizations import organizations
from webapp.routing import MAX_ID
from webapp.services.errors import ValidationError
from webapp.web.htmx import redirect_after_post, render_page_or_partial


def _health(request_event: AuditEvent | None = None) -> dict:
    now, config = utcnow(), current_app.config
    runs = runs_by_kind()
    quiet = timedelta(seconds=config["COLLECT_JOB_TIMEOUT"])
    return {
        "now": now,
        "runs": runs,
        "stopped": stopped_runs((run for kind_runs in runs.values() for run in kind_runs), now, quiet),
        "troubled": troubled(now, config["COLLECT_INTERVAL_HOURS"]),
        "schedule": collector_status(now),
        "queued": bool(config["REDIS_URL"]),
        "organizations": organizations(),
        "form": ActionForm(formdata=None),
        "event": request_event,
        "progress": progress(request_event) if request_event is not None else None,
    }


@bp.get("/collector")
def collector_page():
    return render_template("admin/collector.html", **_health())


@bp.post("/collector/collect")
def collect():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    raw = form.organization_id.data or ""
    if raw and (not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) > MAX_ID):
        abort(400, description="organization_id must be a whole number.")
    try:
        event = request_collection(int(raw) if raw else None)
    except LookupError:
        abort(404)
    except ValidationError as error:
        flash(error.message)
        return redirect_after_post(url_for("admin.collector_page"))
    except RedisError as error:
        flash(f"The queue is not reachable, nothing was enqueued: {error}")
        return redirect_after_post(url_for("admin.collector_page"))
    return redirect_after_post(url_for("admin.collect_progress", event_id=event.id))


@bp.get("/collector/requests/<int:event_id>")
def collect_progress(event_id: int):
    event = db.session.get(AuditEvent, event_id)
    if event is None or event.action != "collect_now":
        abort(404)
    return render_page_or_partial("admin/collector.html", "admin/partials/collect_progress.html", **_health(event))
