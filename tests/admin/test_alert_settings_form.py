"""The admin organisation page's alert settings (SPEC §10): mute rules (never overdrawn) and runway days,
saved through the service and audited; junk comes back as an error next to its field (422), nothing stored."""

from __future__ import annotations

import pytest

from tests.admin.helpers import admin, events, post
from tests.factories import make_org
from webapp.extensions import db
from webapp.models import AlertOverride


def save(client, org_id: int, **fields):
    return post(client, f"/admin/organizations/{org_id}/alerts", fields, page=f"/admin/organizations/{org_id}")


def test_the_page_shows_the_form_without_overdrawn(app, client):
    admin(client)
    org = make_org()
    db.session.commit()
    page = client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    assert 'id="alert-settings-form"' in page and 'value="low_balance"' in page and 'value="stale"' in page
    assert 'value="overdrawn"' not in page and 'placeholder="14, 7, 2"' in page


def test_muting_and_runway_days_are_saved_audited_and_shown(app, client):
    admin(client)
    org = make_org()
    db.session.commit()
    response = save(client, org.id, muted=["stale", "anomaly"], runway_days=" 21, 10, 3 ")
    assert response.status_code in (302, 303) and response.headers["Location"].endswith("#alert-settings")
    stored = db.session.get(AlertOverride, org.id)
    assert stored.muted == ["anomaly", "stale"] and stored.runway_days == [21, 10, 3]
    (event,) = events("alert_settings_changed")
    assert event.details["after"] == {"muted": ["anomaly", "stale"], "runway_days": [21, 10, 3]}
    page = client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    assert 'value="21, 10, 3"' in page and 'checked id="muted-' in page.replace("<input checked", "checked")
    again = save(client, org.id, muted=["stale", "anomaly"], runway_days="21,10,3")
    assert again.status_code in (302, 303) and len(events("alert_settings_changed")) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"runway_days": "14, 7"}, "Runway days: three whole numbers"),
        ({"runway_days": "2, 7, 14"}, "warning &gt; high &gt; critical"),
        ({"runway_days": "<b>x</b>"}, "Runway days: three whole numbers"),
        ({"muted": ["overdrawn"]}, "These alerts cannot be muted: overdrawn."),
        ({"muted": ["nonsense"]}, "These alerts cannot be muted: nonsense."),
    ],
)
def test_junk_is_an_error_next_to_its_field(app, client, fields, message):
    admin(client)
    org = make_org()
    db.session.commit()
    response = save(client, org.id, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'class="field-error"' in page
    assert "<b>x</b>" not in page
    assert db.session.get(AlertOverride, org.id) is None and events("alert_settings_changed") == []


def test_an_unknown_organisation_is_404(app, client):
    admin(client)
    assert save(client, 999_999, runway_days="14, 7, 2").status_code == 404
