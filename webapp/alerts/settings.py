"""The alert rules' settings: the configured defaults (webapp/config.py, ALERT_*) with an organisation's
overrides (muted rules, other runway days) applied, and the service that changes those overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from webapp.domain.alerts import RULE_LABELS, AlertSettings, Rule
from webapp.extensions import db
from webapp.models import AlertOverride, User
from webapp.services import audit
from webapp.services.errors import ValidationError

NEVER_MUTED = frozenset({Rule.OVERDRAWN})  # SPEC §10: always on
MUTABLE = tuple(rule for rule in Rule if rule not in NEVER_MUTED)


def default_settings(config: Mapping[str, Any]) -> AlertSettings:
    days = tuple(config.get("ALERT_RUNWAY_DAYS", (14, 7, 2)))
    return AlertSettings(
        low_balance_band=Decimal(config.get("ALERT_LOW_BALANCE_BAND_PERCENT", 10)) / 100,
        runway_days=(days[0], days[1], days[2]),
        runway_margin_days=int(config.get("ALERT_RUNWAY_MARGIN_DAYS", 2)),
        failing_streak=int(config.get("ALERT_FAILING_STREAK", 3)),
    )


def settings_for(organization_id: int, config: Mapping[str, Any]) -> AlertSettings:
    """The defaults with this organisation's overrides."""
    override = db.session.get(AlertOverride, organization_id)
    if override is None:
        return default_settings(config)
    return with_overrides(default_settings(config), override.muted, override.runway_days)


def with_overrides(settings: AlertSettings, muted: list[str] | None, runway_days: list[int] | None) -> AlertSettings:
    """`settings` with an organisation's stored overrides (None: none stored)."""
    if muted is None and runway_days is None:
        return settings
    known = {rule.value for rule in Rule}
    silenced = frozenset(Rule(name) for name in (muted or []) if name in known) - NEVER_MUTED
    days = (runway_days[0], runway_days[1], runway_days[2]) if runway_days else settings.runway_days
    return replace(settings, muted=silenced, runway_days=days)


def parse_runway_days(raw: str | None) -> tuple[int, int, int] | None:
    """ "14, 7, 2" → (14, 7, 2); blank → None (the configured default)."""
    text = (raw or "").strip()
    if not text:
        return None
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() and len(part) <= 3 for part in parts):
        raise ValidationError("runway_days", "Runway days: three whole numbers, e.g. 14, 7, 2.")
    warning, high, critical = (int(part) for part in parts)
    if not warning > high > critical > 0:
        raise ValidationError("runway_days", "Runway days: warning > high > critical > 0, e.g. 14, 7, 2.")
    return warning, high, critical


def set_overrides(
    organization_id: int, *, muted: Iterable[str], runway_days: tuple[int, int, int] | None, actor: User | None
) -> bool:
    """Store an organisation's overrides (audited); False when nothing changed. The caller commits."""
    names = sorted(set(muted))
    unknown = [name for name in names if name not in {rule.value for rule in MUTABLE}]
    if unknown:
        raise ValidationError("muted", f"These alerts cannot be muted: {', '.join(unknown)}.")
    override = db.session.get(AlertOverride, organization_id) or AlertOverride(organization_id=organization_id)
    new_days = list(runway_days) if runway_days else None
    if override.muted == names and override.runway_days == new_days:
        return False
    before = {"muted": override.muted or [], "runway_days": override.runway_days}
    override.muted, override.runway_days = names, new_days
    db.session.add(override)
    audit.record(
        "alert_settings_changed",
        f"organization:{organization_id}",
        {"before": before, "after": {"muted": names, "runway_days": new_days}},
        actor=actor,
    )
    return True


def mutable_rules() -> list[tuple[str, str]]:
    """(rule, label) of the rules an organisation may mute, for forms."""
    return [(rule.value, RULE_LABELS[rule]) for rule in MUTABLE]
