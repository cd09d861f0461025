"""Collect now from the admin page: an odd organisation id is a 400; the progress partial says so (and stops
polling) when the queue cannot be reached."""

from __future__ import annotations

import pytest

from tests.admin.helpers import admin, post
from webapp.extensions import db
from webapp.models import AuditEvent


@pytest.mark.parametrize("raw", ["²", "9" * 30, "9" * 5000])
def test_collect_now_with_an_odd_organisation_id_is_a_400(app, client, raw):
    admin(client)
    response = post(client, "/admin/collector/collect", {"organization_id": raw}, page="/admin/collector")
    assert response.status_code == 400


def test_progress_says_so_when_the_queue_cannot_be_reached(app, client):
    admin(client)
    event = AuditEvent(actor="admin", action="collect_now", target="all organisations", remote_addr="127.0.0.1",
                       details={"mode": "queued", "job_ids": ["collect_balances_1_x"]})  # fmt: skip
    db.session.add(event)
    db.session.commit()
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    try:
        response = client.get(f"/admin/collector/requests/{event.id}", headers={"HX-Request": "true"})
    finally:
        app.config["REDIS_URL"] = None
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "cannot be reached" in page
    assert "hx-trigger" not in page  # polling stops
