"""A manager's judgement of a spend anomaly episode: expected or unexpected (audited)."""

from __future__ import annotations

from datetime import datetime

from webapp.models import SpendAnomaly, User
from webapp.models.anomalies import MARKS
from webapp.services import audit
from webapp.services.errors import ValidationError


def parse_mark(raw: str | None) -> str:
    mark = (raw or "").strip()
    if mark not in MARKS:
        raise ValidationError("mark", "Mark the episode as expected or unexpected.")
    return mark


def mark_episode(episode: SpendAnomaly, mark: str, user: User, now: datetime) -> None:
    """Record who judged the episode and when; the caller commits."""
    previous = episode.mark
    episode.mark, episode.marked_by_id, episode.marked_at = mark, user.id, now
    audit.record(
        "anomaly_marked",
        f"organization:{episode.organization_id}",
        {
            "episode": episode.id,
            "scope": episode.scope_label,
            "opened_on": episode.opened_on.isoformat(),
            "mark": mark,
            "previous": previous,
        },
        actor=user,
    )
