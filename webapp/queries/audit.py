"""Reading the audit log: newest first, filtered, paged. Never commits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.queries.paging import matching, page_count

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


def audit_page(filters: AuditFilter) -> AuditPage:
    statement = select(AuditEvent)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.actor:
        statement = statement.where(matching(filters.actor, AuditEvent.actor))
    if filters.q:
        statement = statement.where(matching(filters.q, AuditEvent.target))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    filters = replace(filters, page=min(filters.page, page_count(total, PER_PAGE)))  # past the end: the last page
    events = db.session.scalars(
        statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE)
        .offset((filters.page - 1) * PER_PAGE)
    )
    return AuditPage(list(events), total, filters)
