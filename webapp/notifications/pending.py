"""What a session added that must be delivered once it commits (read by dispatch.py's after-commit hook)."""

from __future__ import annotations

from sqlalchemy.orm import Session

KEY = "notifications_pending"


def remember(session: Session, kind: str, item_id: int) -> None:
    session.info.setdefault(KEY, []).append((kind, item_id))


def take(session: Session) -> list[tuple[str, int]]:
    return session.info.pop(KEY, [])
