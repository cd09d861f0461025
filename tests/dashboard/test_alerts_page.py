"""The alerts page (SPEC §10): open alerts then history of the organisations I may see, a count in the
navigation, acknowledge and snooze (audited); every organisation-scoped dashboard URL is a 404 to a
manager for someone else's organisation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.dashboard_data import signed_in
from tests.factories import make_org
from tests.helpers import csrf_token
from webapp.collection.ledger_writer import BalanceCheck, write_checks
from webapp.extensions import db
from webapp.models import AlertState, AuditEvent
from webapp.providers import BalanceReading

SAMPLE_VALUES = {"organization_id": "{org}", "rule": "overdrawn", "episode_id": "1", "extension": "csv"}


def firing(name: str, amount: str = "-12.50", threshold: str | None = None):
    """An organisation whose latest collection fired an alert (overdrawn, or low balance)."""
    org = make_org(name=name, low_balance_threshold=None if threshold is None else Decimal(threshold))
    at = datetime.now(UTC) - timedelta(minutes=5)
    write_checks(org.id, balances=[BalanceCheck(at, BalanceReading(Decimal(amount), "EUR"))])
    db.session.commit()
    return org


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, "/alerts"), **(data or {})})


def nav_count(html: str) -> int | None:
    found = re.search(r'class="count nav-count">(\d+)<', html)
    return int(found.group(1)) if found else None


def test_a_manager_sees_the_open_alerts_of_their_organisations_only(app, client):
    mine = firing("Mine & <b>Co</b>")
    firing("Theirs GmbH")
    signed_in(client, organizations=[mine])
    page = client.get("/alerts").get_data(as_text=True)
    assert "Mine &amp; &lt;b&gt;Co&lt;/b&gt;" in page and "Theirs GmbH" not in page
    assert "Overdrawn" in page and "critical" in page and "-€12.50" in page and 'title="-12.50 EUR"' in page
    assert nav_count(page) == 1


def test_admins_see_every_organisation_and_the_filters_narrow_the_list(app, client):
    firing("Overdrawn Ltd")
    firing("Low Ltd", amount="40", threshold="100")
    signed_in(client, role="admin")
    everything = client.get("/alerts").get_data(as_text=True)
    assert "Overdrawn Ltd" in everything and "Low Ltd" in everything and nav_count(everything) == 2
    low_only = client.get("/alerts?rule=low_balance", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Low Ltd" in low_only and "Overdrawn Ltd" not in low_only and "<html" not in low_only
    assert "Low Ltd" not in client.get("/alerts?level=critical").get_data(as_text=True).split("History")[0]


@pytest.mark.parametrize("query", ["rule=nope", "level=loud", "page=0", "page=x"])
def test_bad_filters_are_a_clear_400(app, client, query):
    signed_in(client, role="admin")
    response = client.get(f"/alerts?{query}")
    assert response.status_code == 400 and "must be" in response.get_data(as_text=True)


def test_a_page_past_the_history_is_a_404(app, client):
    signed_in(client, role="admin")
    assert client.get("/alerts?page=2").status_code == 404


def test_acknowledging_clears_the_navigation_count_and_is_audited(app, client):
    org = firing("Acme")
    user = signed_in(client, organizations=[org])
    response = post(client, f"/alerts/{org.id}/overdrawn/acknowledge")
    assert response.status_code == 303 and response.headers["Location"].endswith("/alerts")
    page = client.get("/alerts").get_data(as_text=True)
    assert "acknowledged" in page and nav_count(page) is None
    db.session.expire_all()
    state = db.session.get(AlertState, (org.id, "overdrawn"))
    assert state.acknowledged_by_id == user.id
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_acknowledged")).one()
    assert (audit.target, audit.details, audit.actor_user_id) == (
        f"organization:{org.id}",
        {"rule": "overdrawn", "episode": 1},
        user.id,
    )


def test_snoozing_until_a_date_hides_it_from_the_count_and_is_audited(app, client):
    org = firing("Acme")
    signed_in(client, organizations=[org])
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    assert post(client, f"/alerts/{org.id}/overdrawn/snooze", {"until": day}).status_code == 303
    page = client.get("/alerts").get_data(as_text=True)
    assert f"snoozed until {day}" in page and nav_count(page) is None
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_snoozed")).one()
    assert audit.details == {"rule": "overdrawn", "episode": 1, "until": day}


@pytest.mark.parametrize("until", ["", "tomorrow", "2020-01-01", "2999-01-01"])
def test_a_bad_snooze_date_is_a_clear_400_and_changes_nothing(app, client, until):
    org = firing("Acme")
    signed_in(client, organizations=[org])
    response = post(client, f"/alerts/{org.id}/overdrawn/snooze", {"until": until})
    assert response.status_code == 400 and "Snooze until" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AlertState, (org.id, "overdrawn")).snoozed_until is None


def test_acting_on_an_alert_that_is_not_open_is_a_404(app, client):
    org = firing("Acme")
    signed_in(client, organizations=[org])
    assert post(client, f"/alerts/{org.id}/low_balance/acknowledge").status_code == 404
    assert post(client, f"/alerts/{org.id}/no_such_rule/acknowledge").status_code == 404


def organization_urls(app) -> list[tuple[str, str]]:
    """Every dashboard rule that takes an organisation, with sample arguments, and its methods."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("dashboard.") and "organization_id" in rule.arguments:
            url = rule.rule
            for argument in rule.arguments - set(rule.defaults or {}):  # defaults are not in the path
                url = re.sub(rf"<(?:[a-z]+:)?{argument}>", SAMPLE_VALUES[argument], url)
            found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_organisation_url_of_the_dashboard_is_a_404_for_someone_elses_organisation(app, client):
    mine, theirs = firing("Mine"), firing("Theirs")
    signed_in(client, organizations=[mine])
    token = csrf_token(client, "/alerts")
    urls = organization_urls(app)
    assert ("POST", "/alerts/{org}/overdrawn/acknowledge") in urls and len(urls) >= 6
    for method, url in urls:
        for organization_id in (theirs.id, theirs.id + 1000):
            response = client.open(url.format(org=organization_id), method=method, data={"csrf_token": token})
            assert response.status_code == 404, (method, url)
    db.session.expire_all()
    assert db.session.get(AlertState, (theirs.id, "overdrawn")).acknowledged_at is None


def test_the_level_filter_narrows_the_history_too(app, client):
    firing("Overdrawn Ltd")
    firing("Low Ltd", amount="40", threshold="100")
    signed_in(client, role="admin")
    history = client.get("/alerts?level=warning").get_data(as_text=True).split('id="alert-history"', 1)[1]
    assert "Low Ltd" in history and "Overdrawn Ltd" not in history
