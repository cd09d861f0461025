"""Reading the audit log: newest first, filtered, paged. Never commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.queries.paging import page_count

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    q: str = ""
    page: int = 1


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    filters: AuditFilter
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", page_count(self.total, PER_PAGE))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audit_page(filters: AuditFilter) -> AuditPage:
    statement = select(AuditEvent)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.actor:
        pattern = f"%{_escape_like(filters.actor.lower())}%"
        statement = statement.where(func.lower(AuditEvent.actor).like(pattern, escape="\\"))
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        statement = statement.where(func.lower(AuditEvent.target).like(pattern, escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    events = db.session.scalars(
        statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE)
        .offset((filters.page - 1) * PER_PAGE)
    )
    return AuditPage(list(events), total, filters)
