"""`flask alerts evaluate|list`: the alert rules evaluated now, and what is open or happened (SPEC §10)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from webapp.cli.common import database_errors_as_messages, emit
from webapp.domain.alerts import Level
from webapp.extensions import db
from webapp.models import Organization
from webapp.models.types import utcnow
from webapp.services.exports import iso_utc

alerts_cli = AppGroup("alerts", help="Evaluate the alert rules, or list open alerts and recent events.")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso_utc(moment)


@alerts_cli.command(
    "evaluate",
    help="Evaluate every rule of the active organisations (or --org) now; print the transitions made.",
)
@click.option("--org", "organization_id", type=int, default=None, help="Only this organisation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@database_errors_as_messages
def alerts_evaluate(organization_id: int | None, as_json: bool) -> None:
    from webapp.alerts.scheduled import active_organization_ids, evaluate_each

    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        raise click.ClickException(f"No organisation with id {organization_id}.")
    ids = [organization_id] if organization_id is not None else active_organization_ids()
    transitions = [
        {
            "organization_id": change.organization_id,
            "rule": change.rule.value,
            "transition": change.kind.value,
            "level": change.level.label,
            "episode": change.episode,
            "occurred_at": _iso(change.occurred_at),
            "event_id": change.event_id,
        }
        for change in evaluate_each(ids, utcnow())
    ]
    lines = [f"org {t['organization_id']}: {t['rule']} {t['transition']} ({t['level']})" for t in transitions]
    summary = f"Evaluated {len(ids)} organisation(s): {len(transitions)} transition(s)."
    emit(as_json, {"organizations": len(ids), "transitions": transitions}, "\n".join([*lines, summary]))


@alerts_cli.command("list", help="List recent alert events, or with --open the alerts firing now.")
@click.option("--open", "only_open", is_flag=True, help="Only the alerts firing now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@database_errors_as_messages
def alerts_list(only_open: bool, as_json: bool) -> None:
    from webapp.queries.alerts import events_stmt, open_alerts_stmt

    if only_open:
        rows = [
            {
                "organization_id": state.organization_id,
                "organization": name,
                "rule": state.rule,
                "level": Level(state.level).label,
                "since": _iso(state.since),
                "acknowledged": state.acknowledged_at is not None,
            }
            for state, name in db.session.execute(open_alerts_stmt())
        ]
        lines = [
            f"{r['organization']} (org {r['organization_id']}): {r['rule']} {r['level']} since {r['since']}"
            for r in rows
        ]
        emit(as_json, {"open": rows}, "\n".join(lines) or "No open alerts.")
        return
    rows = [
        {
            "id": event.id,
            "organization_id": event.organization_id,
            "organization": name,
            "rule": event.rule,
            "transition": event.kind,
            "level": Level(event.level).label,
            "occurred_at": _iso(event.occurred_at),
        }
        for event, name in db.session.execute(events_stmt())
    ]
    lines = [
        f"{r['occurred_at']} {r['organization']} (org {r['organization_id']}): "
        f"{r['rule']} {r['transition']} ({r['level']})"
        for r in rows
    ]
    emit(as_json, {"events": rows}, "\n".join(lines) or "No alert events yet.")
