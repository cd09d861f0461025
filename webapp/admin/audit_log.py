"""The audit log: page through and filter; read-only (there is no route that changes it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask.typing import ResponseReturnValue

from webapp.admin.blueprint import bp
from webapp.queries.audit import AuditFilter, audit_page
from webapp.services.audit import ACTIONS
from webapp.web import params
from webapp.web.htmx import render_page_or_partial

HIDDEN_DETAILS = frozenset({"job_ids", "run_ids"})  # what "collect now" polls; noise to a reader
MISSING = "—"


def readable_value(value: Any) -> str:
    """A stored detail as a person reads it: yes/no, — for nothing, lists and mappings spelled out."""
    if value is None or value == "" or value == [] or value == {}:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "; ".join(f"{str(key).replace('_', ' ')}: {readable_value(value[key])}" for key in sorted(value))
    if isinstance(value, list | tuple):
        return ", ".join(readable_value(item) for item in value)
    return str(value)


@bp.app_template_filter("audit_details")
def audit_details(details: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) lines of an event's details, by key (PostgreSQL's JSONB keeps no insertion order)."""
    details = details or {}
    return [
        (str(key).replace("_", " "), readable_value(details[key]))
        for key in sorted(details)
        if key not in HIDDEN_DETAILS
    ]


@bp.get("/audit")
def audit_log_page() -> ResponseReturnValue:
    filters = AuditFilter(
        action=params.choice("action", ("", *ACTIONS), ""),
        actor=params.search_text("actor"),
        q=params.search_text("q"),
        page=params.positive_int("page", 1),
    )
    return render_page_or_partial(
        "admin/audit.html", "admin/partials/audit_table.html", page=audit_page(filters), actions=ACTIONS
    )
