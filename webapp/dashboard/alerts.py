"""Alerts (`/alerts`): the open alerts of the organisations I may see, then the history; acknowledge and
snooze (SPEC §10). Managers reach only their organisations' alerts: anything else is a 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, abort, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from webapp.alerts.actions import acknowledge, firing_state, parse_snooze_until, snooze
from webapp.dashboard.access import organization_or_404
from webapp.dashboard.blueprint import bp
from webapp.domain.alerts import RULE_LABELS, Level, Rule
from webapp.domain.money import stored_decimal
from webapp.extensions import db
from webapp.models import AlertState
from webapp.models.types import utcnow
from webapp.queries.alerts import (
    EVENTS_PER_PAGE,
    count_events,
    count_needing_attention,
    events_stmt,
    open_alerts_stmt,
)
from webapp.queries.paging import page_count
from webapp.services.errors import ValidationError
from webapp.web import params
from webapp.web.htmx import redirect_after_post, render_page_or_partial

RULES = tuple(rule.value for rule in Rule)
LEVELS = tuple(level.label for level in Level if level is not Level.OK)


@bp.get("/alerts")
@login_required
def alerts() -> Response:
    now = utcnow()
    rule = params.choice("rule", ("all", *RULES), "all")
    level = params.choice("level", ("all", *LEVELS), "all")
    page = params.positive_int("page", 1)
    chosen_rule = None if rule == "all" else rule
    chosen_level = None if level == "all" else Level[level.upper()]
    open_rows = db.session.execute(open_alerts_stmt(current_user, rule=chosen_rule, level=chosen_level)).all()
    total = count_events(current_user, rule=chosen_rule, level=chosen_level)
    pages = page_count(total, EVENTS_PER_PAGE)
    if page > pages:
        abort(404, description="There is no such page of alert history.")
    history = db.session.execute(
        events_stmt(
            current_user,
            rule=chosen_rule,
            level=chosen_level,
            limit=EVENTS_PER_PAGE,
            offset=(page - 1) * EVENTS_PER_PAGE,
        )
    ).all()
    return render_page_or_partial(
        "pages/alerts.html",
        "partials/alerts_lists.html",
        open_rows=open_rows,
        history=history,
        filters={"rule": rule, "level": level},
        page=page,
        pages=pages,
        total=total,
        now=now,
        tomorrow=(now + timedelta(days=1)).date().isoformat(),
        rules=RULES,
        levels=LEVELS,
        rule_labels={rule.value: label for rule, label in RULE_LABELS.items()},
        Level=Level,
        as_decimal=stored_decimal,
    )


def _open_alert_or_404(organization_id: int, rule: str) -> AlertState:
    organization_or_404(organization_id)
    state = firing_state(organization_id, rule)
    if state is None:
        abort(404, description="That alert is not open (it may have resolved meanwhile).")
    return state


def _back() -> str:
    """The alerts page with the filters the form was posted from (unknown values are dropped)."""
    rule, level = request.form.get("back_rule"), request.form.get("back_level")
    kept: dict[str, Any] = {"rule": rule if rule in RULES else None, "level": level if level in LEVELS else None}
    return url_for("dashboard.alerts", **kept)


@bp.post("/alerts/<int:organization_id>/<rule>/acknowledge")
@login_required
def acknowledge_alert(organization_id: int, rule: str) -> Response:
    state = _open_alert_or_404(organization_id, rule)
    acknowledge(state, current_user, utcnow())
    db.session.commit()
    return redirect_after_post(_back())


@bp.post("/alerts/<int:organization_id>/<rule>/snooze")
@login_required
def snooze_alert(organization_id: int, rule: str) -> Response:
    state = _open_alert_or_404(organization_id, rule)
    try:
        until = parse_snooze_until(request.form.get("until"), utcnow())
    except ValidationError as error:
        abort(400, description=error.message)
    snooze(state, current_user, until)
    db.session.commit()
    return redirect_after_post(_back())


@bp.app_context_processor
def alert_count() -> dict[str, object]:
    """The navigation's count of open alerts that nobody acknowledged or snoozed (asked only by base.html)."""

    def open_alert_count() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return count_needing_attention(current_user, utcnow())
        except SQLAlchemyError:  # an error page after a failed transaction still renders its navigation
            return 0

    return {"open_alert_count": open_alert_count}
