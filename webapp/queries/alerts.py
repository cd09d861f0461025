"""Alerts, read side: open alerts (firing states) and the event history, of the organisations a user may
see (admins: every one; the CLI passes no user)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select

from webapp.domain.alerts import RULE_LABELS, Level, Rule
from webapp.extensions import db
from webapp.models import AlertEvent, AlertState, Organization, User
from webapp.queries import snapshot_cache
from webapp.queries.organizations import visible_organizations_stmt

EVENTS_PER_PAGE = 50


# The navigation's counts computed lately, per database and scope (count_needing_attention).
KEPT_COUNTS: snapshot_cache.SnapshotCache[int] = snapshot_cache.SnapshotCache()


def _visible_ids(user: User | None) -> Select[int] | None:
    if user is None or user.is_admin:
        return None
    return visible_organizations_stmt(user).with_only_columns(Organization.id)


def open_alerts_stmt(
    user: User | None = None, *, rule: str | None = None, level: int | None = None
) -> Select[AlertState, str]:
    """Firing (organisation, rule) states, most severe first, then oldest, with the organisation's name."""
    query = (
        select(AlertState, Organization.name)
        .join(Organization, Organization.id == AlertState.organization_id)
        .where(AlertState.level > 0)
        .order_by(AlertState.level.desc(), AlertState.since, AlertState.organization_id, AlertState.rule)
    )
    visible = _visible_ids(user)
    if visible is not None:
        query = query.where(AlertState.organization_id.in_(visible))
    if rule is not None:
        query = query.where(AlertState.rule == rule)
    if level is not None:
        query = query.where(AlertState.level == level)
    return query


def events_stmt(
    user: User | None = None,
    *,
    rule: str | None = None,
    level: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Select[AlertEvent, str]:
    """The latest events, newest first, with the organisation's name; `level`: the transitions to that level."""
    query = (
        select(AlertEvent, Organization.name)
        .join(Organization, Organization.id == AlertEvent.organization_id)
        .order_by(AlertEvent.occurred_at.desc(), AlertEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    visible = _visible_ids(user)
    if visible is not None:
        query = query.where(AlertEvent.organization_id.in_(visible))
    if rule is not None:
        query = query.where(AlertEvent.rule == rule)
    if level is not None:
        query = query.where(AlertEvent.level == level)
    return query


def count_events(user: User | None = None, *, rule: str | None = None, level: int | None = None) -> int:
    query = events_stmt(user, rule=rule, level=level).limit(None).offset(None).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def count_needing_attention(user: User, now: datetime) -> int:
    """Open alerts neither acknowledged nor snoozed: the number in the navigation (on every page, so counted
    on the states alone: every state's organisation exists, the foreign key says so). On PostgreSQL the
    count is reused while no alert state or assignment changed and no snooze ended (queries.snapshot_cache)."""
    reuse = snapshot_cache.supported(db.session)
    key = (*snapshot_cache.database_and_scope(db.session, user), "open alerts")
    kept = KEPT_COUNTS.get(db.session, key, now) if reuse else None
    if kept is not None:
        return kept
    query = (
        select(func.count())
        .select_from(AlertState)
        .where(
            AlertState.level > 0,
            AlertState.acknowledged_at.is_(None),
            or_(AlertState.snoozed_until.is_(None), AlertState.snoozed_until <= now),
        )
    )
    visible = _visible_ids(user)
    if visible is not None:
        query = query.where(AlertState.organization_id.in_(visible))
    if not reuse:
        return db.session.scalar(query) or 0
    snooze_ends = select(func.min(AlertState.snoozed_until)).where(AlertState.snoozed_until > now).scalar_subquery()
    row = db.session.execute(query.add_columns(*snapshot_cache.mark_columns(), snooze_ends)).one()
    KEPT_COUNTS.put(key, row[0], snapshot_cache.Marks.of(row), now, row[-1] or now + timedelta(days=1))
    return int(row[0])


def open_alert_badges(organization_ids: list[int]) -> dict[int, tuple[int, bool, list[str]]]:
    """For the portfolio's rows only: organisation id → (open alerts, whether one is high or critical — red
    as on the alerts page —, their rules' labels), one query."""
    if not organization_ids:
        return {}
    query = (
        select(AlertState.organization_id, AlertState.rule, AlertState.level)
        .where(AlertState.level > 0, AlertState.organization_id.in_(organization_ids))
        .order_by(AlertState.organization_id, AlertState.level.desc(), AlertState.rule)
    )
    badges: dict[int, tuple[int, bool, list[str]]] = {}
    for organization_id, rule, level in db.session.execute(query):
        count, severe, labels = badges.get(organization_id, (0, False, []))
        label = RULE_LABELS[Rule(rule)]
        badges[organization_id] = (count + 1, severe or level >= Level.HIGH, [*labels, label])
    return badges
