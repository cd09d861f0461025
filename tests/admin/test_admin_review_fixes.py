"""Findings of the admin security review, each pinned by a test: sessions end on a password change,
a lost one-time password can be reissued, odd input is a 4xx, non-admins learn nothing from a POST."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.admin.helpers import admin, events, post
from tests.admin.test_first_sign_in import NEW_PASSWORD, created_manager
from tests.factories import make_org, make_user
from tests.helpers import csrf_token, login
from webapp.domain.money import check_amount
from webapp.extensions import db
from webapp.models import AuditEvent, User


def change_password(client, old: str, new: str = NEW_PASSWORD):
    token = csrf_token(client, "/account/password")
    return client.post("/account/password", data={"csrf_token": token, "current": old, "new": new, "confirm": new})


def test_changing_the_password_signs_out_every_other_session(app, client):
    email, password = created_manager(app, client)
    intruder, owner = app.test_client(), app.test_client()
    login(intruder, email, password)  # someone who saw the one-time password first
    login(owner, email, password)
    assert change_password(owner, password).status_code == 303
    assert owner.get("/").status_code == 200  # the session that changed it stays
    assert intruder.get("/").status_code == 302  # the other one ended at once
    assert intruder.get("/").headers["Location"].startswith("/login")


def test_an_admin_can_issue_a_new_one_time_password(app, client):
    email, first = created_manager(app, client)
    user = db.session.scalar(db.select(User).where(User.email == email))
    holder = app.test_client()
    login(holder, email, first)
    response = post(client, f"/admin/users/{user.id}/password", page=f"/admin/users/{user.id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    second = re.search(r'id="new-user-password" class="secret">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert second != first
    assert holder.get("/").status_code == 302  # earlier sessions ended
    fresh = app.test_client()
    assert login(fresh, email, first).status_code == 200  # the old one no longer works
    assert login(fresh, email, second).status_code == 302
    assert fresh.get("/").headers["Location"] == "/account/password"  # must choose their own again
    assert [e.target for e in events("password_reset")] == [f"user {user.id} ({email})"]
    assert second not in str([e.details for e in db.session.scalars(db.select(AuditEvent))])


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/organizations", {"name": "N\x00ul", "provider_ref": "nul-1"}),
        ("/admin/organizations", {"name": "Huge", "provider_ref": "huge-1", "low_balance_threshold": "1e999999999"}),
        ("/admin/users", {"email": "a\x00b@example.com", "role": "manager"}),
        ("/admin/clients", {"organization_id": "9" * 30, "name": "ERP"}),
        ("/admin/clients", {"organization_id": "1", "name": "E\x00RP"}),
    ],
)
def test_odd_form_input_is_refused_next_to_the_field(app, client, url, data):
    make_org()
    admin(client)
    response = post(client, url, data)
    assert response.status_code == 422


@pytest.mark.parametrize("raw", ["²", "9" * 30, "9" * 5000])
def test_collect_now_with_an_odd_organisation_id_is_a_400(app, client, raw):
    admin(client)
    response = post(client, "/admin/collector/collect", {"organization_id": raw}, page="/admin/collector")
    assert response.status_code == 400


def test_assigning_an_impossible_organisation_id_is_refused(app, client):
    manager = make_user(role="manager")
    admin(client)
    response = post(client, f"/admin/users/{manager.id}/assignments", {"organizations": ["9" * 30]},
                    page=f"/admin/users/{manager.id}")  # fmt: skip
    assert response.status_code == 422


def test_a_managers_post_without_a_token_is_a_404_not_a_csrf_error(app, client):
    make_user(role="manager", email="m@example.com")
    db.session.commit()
    login(client, "m@example.com")
    for url in ("/admin/users/1/role", "/admin/clients", "/admin/collector/collect"):
        assert client.post(url).status_code == 404, url


def test_an_admins_post_without_a_token_is_still_refused(app, client):
    admin(client)
    assert client.post("/admin/clients", data={"organization_id": "1", "name": "x"}).status_code == 400


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


def test_absurd_exponents_are_out_of_range_not_an_overflow():
    with pytest.raises(ValueError, match="out of range"):
        check_amount(Decimal("1e999999999"))
    with pytest.raises(ValueError, match="fractional digits"):
        check_amount(Decimal("1e-999999999"))
