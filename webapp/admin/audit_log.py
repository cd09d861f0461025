"""The audit log: page through and filter; read-only (there is no route that changes it)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from webapp.admin.blueprint import bp
from webapp.queries.audit import AuditFilter, audit_page
from webapp.services.audit import ACTIONS
from webapp.web import params
from webapp.web.htmx import render_page_or_partial


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
