"""Spend anomaly episodes kept by the collection write path (SPEC §9): detected once a day completes,
idempotent, surviving a rebuild with the manager's mark, and driving the spend-anomaly alert."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.factories import make_org
from tests.read_model.anomaly_series import DAY0, collect_series, steady_with_spike
from webapp.collection.replay import load_demo_data
from webapp.domain.anomalies import AnomalyParams
from webapp.extensions import db
from webapp.models import AlertEvent, SpendAnomaly
from webapp.providers.demo import DemoProvider
from webapp.read_model.anomalies import detect
from webapp.read_model.store import rebuild

SPIKE = 30  # 30 days of history before it: every threshold can pass


def episodes(org) -> list[SpendAnomaly]:
    query = select(SpendAnomaly).where(SpendAnomaly.organization_id == org.id)
    return list(db.session.scalars(query.order_by(SpendAnomaly.scope)))


def anomaly_events(org) -> list[str]:
    query = select(AlertEvent.kind).where(AlertEvent.organization_id == org.id, AlertEvent.rule == "anomaly")
    return list(db.session.scalars(query.order_by(AlertEvent.id)))


def test_a_spike_opens_an_episode_once_its_day_completed(app):
    org = make_org()
    spike_day = (DAY0 + timedelta(days=SPIKE)).date()
    collect_series(org.id, steady_with_spike(SPIKE + 1, SPIKE))
    assert episodes(org) == []  # the spike's day is still today: not complete
    collect_series(org.id, [*steady_with_spike(SPIKE + 1, SPIKE), Decimal(10)], from_day=SPIKE + 1)
    found = {episode.scope: episode for episode in episodes(org)}
    assert set(found) == {"", "compute", "storage"}
    whole = found[""]
    assert (whole.opened_on, whole.last_day, whole.status, whole.closed_on) == (spike_day, spike_day, "open", None)
    assert (whole.expected, whole.actual, whole.currency) == (Decimal(10), Decimal(110), "EUR")
    assert [driver["name"] for driver in whole.top_services] == ["compute", "storage"]
    assert whole.top_services[0] == {"name": "compute", "expected": "5.00", "actual": "55.00"}
    # the operators by excess over their own medians: compute's operator; storage's lines name none
    assert whole.top_operators == [{"name": "Ana", "expected": "5.00", "actual": "55.00"}]
    assert anomaly_events(org) == ["triggered"]


def test_it_closes_after_seven_quiet_days_and_the_alert_resolves_once(app):
    org = make_org()
    collect_series(org.id, steady_with_spike(SPIKE + 10, SPIKE))
    whole = next(episode for episode in episodes(org) if episode.scope == "")
    assert (whole.status, whole.closed_on) == ("closed", whole.last_day + timedelta(days=7))
    assert anomaly_events(org) == ["triggered", "resolved"]


def test_steady_spend_and_a_small_bump_open_nothing(app):
    org = make_org()
    collect_series(org.id, steady_with_spike(SPIKE + 3, SPIKE, spike="30"))  # +20: below the 25 minimum
    assert episodes(org) == []
    assert anomaly_events(org) == []


def test_re_detection_and_rebuild_never_duplicate_and_keep_the_mark(app):
    org = make_org()
    collect_series(org.id, steady_with_spike(SPIKE + 3, SPIKE))
    before = [(e.scope, e.opened_on, e.last_day, e.actual) for e in episodes(org)]
    whole = next(episode for episode in episodes(org) if episode.scope == "")
    whole.mark = "expected"
    db.session.flush()
    detect(org.id, previous_last_day=date(2000, 1, 1))  # a window run, as for a newly completed day
    detect(org.id, previous_last_day=None, whole=True)
    rebuild(org.id)
    db.session.expire_all()
    assert [(e.scope, e.opened_on, e.last_day, e.actual) for e in episodes(org)] == before
    count = db.session.scalar(select(func.count()).where(SpendAnomaly.organization_id == org.id))
    assert count == 3
    assert next(episode for episode in episodes(org) if episode.scope == "").mark == "expected"


def test_the_configured_thresholds_decide(app, monkeypatch):
    """ANOMALY_* settings (webapp/config_anomalies.py) reach the write path's detection: a minimum excess of 15
    lets the +20 bump open the organisation's episode (each service's +10 stays below it), one of 200 keeps the
    +100 spike from opening any."""
    low, high = make_org(), make_org()
    monkeypatch.setitem(app.config, "ANOMALY_PARAMS", AnomalyParams(min_excess=Decimal(15)))
    collect_series(low.id, steady_with_spike(SPIKE + 3, SPIKE, spike="30"))
    assert [episode.scope for episode in episodes(low)] == [""]
    monkeypatch.setitem(app.config, "ANOMALY_PARAMS", AnomalyParams(min_excess=Decimal(200)))
    collect_series(high.id, steady_with_spike(SPIKE + 3, SPIKE))
    assert episodes(high) == []


def test_a_demo_replays_episodes_are_those_a_rebuild_finds(app):
    """The first bulk batch detects from the rows it has just written (not read back): the same episodes, with
    their operators, as a rebuild's whole re-detection from the stored rows."""
    now = datetime(2026, 3, 20, 13, 30, tzinfo=UTC)
    ids = load_demo_data(orgs=4, days=120, provider=DemoProvider(), now=now).organization_ids

    def stored() -> list[tuple]:
        query = select(SpendAnomaly).where(SpendAnomaly.organization_id.in_(ids))
        rows = db.session.scalars(query.order_by(SpendAnomaly.organization_id, SpendAnomaly.scope))
        return [(e.scope, e.opened_on, e.last_day, e.actual, e.top_services, e.top_operators) for e in rows]

    replayed = stored()
    assert any(operators for *_rest, operators in replayed)  # the demo's lines name operators
    for org_id in ids:
        rebuild(org_id)
    db.session.expire_all()
    assert stored() == replayed
