"""What an alert transition says to the outside: the webhook event type and payload (docs/webhooks.md),
and the instant mail for a critical event (SPEC §10)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import render_template

from webapp.domain.alerts import EVENT_FAMILIES, RULE_LABELS, Level, Transition
from webapp.domain.money import stored_decimal

if TYPE_CHECKING:
    from webapp.alerts.evaluate import Change


def event_type(change: Change) -> str:
    """e.g. balance.overdrawn.triggered, balance.runway.escalated, collection.stale.resolved."""
    return f"{EVENT_FAMILIES[change.rule]}.{change.kind.value}"


def event_data(change: Change) -> dict[str, Any]:
    """The `data` of the webhook payload: the rule, its level and episode, and the figures that triggered it."""
    return {
        "rule": change.rule.value,
        "transition": change.kind.value,
        "level": change.level.label,
        "episode": change.episode,
        **dict(change.figures),
    }


def wants_instant_mail(change: Change) -> bool:
    """Critical news goes out at once: a rule triggered or escalated to critical."""
    return change.level is Level.CRITICAL and change.kind in (Transition.TRIGGERED, Transition.ESCALATED)


def instant_mail(change: Change, organization_name: str) -> tuple[str, str, str]:
    """(subject, text, html) of the mail for a critical event."""
    label = RULE_LABELS[change.rule]
    subject = f"[Account Desk] Critical: {label} — {organization_name}"
    context = {"change": change, "label": label, "organization": organization_name, "as_decimal": stored_decimal}
    return subject, render_template("mail/critical.txt", **context), render_template("mail/critical.html", **context)


def idempotency_key(change: Change, user_id: int) -> str:
    """One mail per user and transition, whatever the retries."""
    transition = f"{change.rule.value}:{change.episode}:{change.kind.value}:{int(change.level)}"
    return f"alert:{change.organization_id}:{transition}:{user_id}"
