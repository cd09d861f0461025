"""What a person does with an open alert: acknowledge it, or snooze it until a date (both audited).

An acknowledgement or snooze lasts for the episode: a new trigger clears both, an escalation clears
the acknowledgement (worse news wants a new look). Snoozing hides the alert from the navigation count
and the digest's "still open" list until the date; it never stops the rule from changing state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from webapp.domain.alerts import Rule
from webapp.extensions import db
from webapp.models import AlertState, User
from webapp.services import audit
from webapp.services.errors import ValidationError

MAX_SNOOZE_DAYS = 90


def firing_state(organization_id: int, rule: str) -> AlertState | None:
    """The open alert of (organisation, rule), or None when the rule is unknown or not firing."""
    if rule not in {known.value for known in Rule}:
        return None
    state = db.session.get(AlertState, (organization_id, rule))
    return state if state is not None and state.level > 0 else None


def acknowledge(state: AlertState, user: User, now: datetime) -> None:
    state.acknowledged_at, state.acknowledged_by_id = now, user.id
    audit.record(
        "alert_acknowledged",
        f"organization:{state.organization_id}",
        {"rule": state.rule, "episode": state.episode},
        actor=user,
    )


def parse_snooze_until(raw: str | None, now: datetime) -> datetime:
    """YYYY-MM-DD, a day after today (UTC) and at most MAX_SNOOZE_DAYS ahead: the snooze ends at its start."""
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationError("until", "Snooze until: give a date as YYYY-MM-DD.") from None
    today = now.astimezone(UTC).date()
    if not today < day <= today + timedelta(days=MAX_SNOOZE_DAYS):
        raise ValidationError(
            "until", f"Snooze until: choose a day after today and at most {MAX_SNOOZE_DAYS} days ahead."
        )
    return datetime.combine(day, time(0), tzinfo=UTC)


def snooze(state: AlertState, user: User, until: datetime) -> None:
    state.snoozed_until = until
    audit.record(
        "alert_snoozed",
        f"organization:{state.organization_id}",
        {"rule": state.rule, "episode": state.episode, "until": until.date().isoformat()},
        actor=user,
    )
