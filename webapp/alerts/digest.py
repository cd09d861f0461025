"""The daily digest (SPEC §10): at 08:00 in each user's time zone, what happened to their organisations'
alerts since the last one, what is still open, what runs out soon, anomalies and stale data — or
"all quiet". One per user and local day: its idempotency key is the user and that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template

from webapp.domain.alerts import RULE_LABELS, Level, Rule, Transition
from webapp.domain.money import stored_decimal
from webapp.domain.zones import zone
from webapp.extensions import db
from webapp.models import AlertEvent, AlertState, User
from webapp.queries.alerts import events_stmt, open_alerts_stmt

DIGEST_HOUR = 8


@dataclass(frozen=True)
class Item:
    organization_id: int
    organization: str
    rule: str
    level: str
    at: datetime
    figures: dict

    @property
    def label(self) -> str:
        return RULE_LABELS[Rule(self.rule)]


@dataclass
class Digest:
    user: User
    day: date  # the user's local day the digest is for
    zone: ZoneInfo
    triggered: list[Item] = field(default_factory=list)
    resolved: list[Item] = field(default_factory=list)
    still_open: list[Item] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"digest:{self.user.id}:{self.day.isoformat()}"

    def of_rule(self, rule: Rule) -> list[Item]:
        return [item for item in self.still_open if item.rule == rule.value]

    @property
    def quiet(self) -> bool:
        return not (self.triggered or self.resolved or self.still_open)

    @property
    def subject(self) -> str:
        if self.quiet:
            return f"Account Desk daily digest {self.day:%Y-%m-%d}: all quiet"
        return (
            f"Account Desk daily digest {self.day:%Y-%m-%d}: {len(self.triggered)} new, "
            f"{len(self.resolved)} resolved, {len(self.still_open)} open"
        )


def zone_of(user: User) -> ZoneInfo:
    """The user's zone (a stored name the tz data no longer knows reads as UTC)."""
    return zone(user.time_zone)


def due_day(user: User, now: datetime) -> date | None:
    """The local day whose digest is due at `now` (08:00 local has passed), else None (before 08:00,
    the previous day's digest is the one due: it is sent once, by its key, whenever this runs)."""
    local = now.astimezone(zone_of(user))
    return local.date() if local.time() >= time(DIGEST_HOUR) else local.date() - timedelta(days=1)


def window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From 08:00 local the day before to 08:00 local on `day`, in UTC (DST changes included)."""
    end = datetime.combine(day, time(DIGEST_HOUR), tzinfo=zone)
    start = datetime.combine(day - timedelta(days=1), time(DIGEST_HOUR), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def compose(user: User, day: date) -> Digest:
    """What `user`'s digest for local `day` says (their organisations only)."""
    zone = zone_of(user)
    start, end = window(day, zone)
    digest = Digest(user=user, day=day, zone=zone)
    query = events_stmt(user).limit(None).where(AlertEvent.occurred_at >= start, AlertEvent.occurred_at < end)
    for event, name in db.session.execute(query.order_by(None).order_by(AlertEvent.occurred_at, AlertEvent.id)):
        item = Item(event.organization_id, name, event.rule, Level(event.level).label, event.occurred_at, event.figures)
        (digest.resolved if event.kind == Transition.RESOLVED else digest.triggered).append(item)
    for state, name in db.session.execute(open_alerts_stmt(user)):
        if state.snoozed_until is not None and state.snoozed_until > end:
            continue
        digest.still_open.append(_open_item(state, name))
    return digest


def _open_item(state: AlertState, name: str) -> Item:
    return Item(
        state.organization_id,
        name,
        state.rule,
        Level(state.level).label,
        state.since or state.changed_at,
        state.figures,
    )


def render(digest: Digest) -> tuple[str, str]:
    """(plain text, HTML) of the digest; the HTML template escapes every name."""
    context = {"digest": digest, "Rule": Rule, "as_decimal": stored_decimal}
    return render_template("mail/digest.txt", **context), render_template("mail/digest.html", **context)
