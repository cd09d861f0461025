"""An organisation's alert overrides (SPEC §10): muted rules and other runway days, validated and audited;
overdrawn can never be muted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import make_org
from webapp.alerts.settings import parse_runway_days, set_overrides, settings_for
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.domain.alerts import Rule
from webapp.extensions import db
from webapp.models import AlertEvent, AuditEvent
from webapp.providers import BalanceReading
from webapp.services.errors import ValidationError


def collect(org, amount: str) -> list[str]:
    write_checks(
        org.id, balances=[BalanceCheck(datetime(2026, 3, 10, 9, tzinfo=UTC), BalanceReading(Decimal(amount), "EUR"))]
    )
    db.session.flush()
    return list(db.session.scalars(select(AlertEvent.rule).where(AlertEvent.organization_id == org.id)))


def test_a_muted_rule_makes_no_event_but_overdrawn_still_does(app):
    org = make_org(low_balance_threshold=Decimal("100"))
    set_overrides(org.id, muted=["low_balance"], runway_days=None, actor=None)
    assert collect(org, "-5") == ["overdrawn"]


def test_overrides_change_the_settings_and_are_audited_once(app):
    org = make_org()
    assert set_overrides(org.id, muted=["stale", "anomaly"], runway_days=(21, 10, 3), actor=None)
    assert not set_overrides(org.id, muted=["anomaly", "stale"], runway_days=(21, 10, 3), actor=None)
    settings = settings_for(org.id, app.config)
    assert settings.muted == {Rule.STALE, Rule.ANOMALY} and settings.runway_days == (21, 10, 3)
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_settings_changed")).all()
    assert [(a.actor, a.details["after"]) for a in audits] == [
        ("cli", {"muted": ["anomaly", "stale"], "runway_days": [21, 10, 3]})
    ]


def test_overdrawn_cannot_be_muted(app):
    org = make_org()
    with pytest.raises(ValidationError, match="cannot be muted: overdrawn"):
        set_overrides(org.id, muted=["overdrawn"], runway_days=None, actor=None)


@pytest.mark.parametrize("raw", ["14,7", "7,14,2", "14,7,0", "a,b,c", "14,7,2,1", "１４,7,2", "9999,7,2"])
def test_runway_days_must_be_three_decreasing_whole_days(raw):
    with pytest.raises(ValidationError, match="Runway days"):
        parse_runway_days(raw)


def test_blank_runway_days_mean_the_default():
    assert parse_runway_days("  ") is None and parse_runway_days(" 30, 10 ,1") == (30, 10, 1)
