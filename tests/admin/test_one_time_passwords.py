"""One-time passwords: a user created by an admin must replace the generated password at first sign-in (until
then every page, partial and form leads to the change form); changing it ends every other session; an admin can
issue a new one, which ends the user's sessions."""

from __future__ import annotations

import re

from tests.admin.helpers import NEW_PASSWORD, change_password, created_manager, events, post
from tests.helpers import csrf_token, login
from webapp.extensions import db
from webapp.models import AuditEvent, User


def test_the_generated_password_only_opens_the_change_form(app, client):
    email, password = created_manager(app, client)
    manager = app.test_client()
    assert login(manager, email, password).status_code == 302
    for url in ("/", "/portfolio.csv", "/orgs/1"):
        response = manager.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/password", url
    htmx = manager.get("/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/account/password"
    page = manager.get("/account/password").get_data(as_text=True)
    assert "Choose your password" in page and 'name="csrf_token"' in page


def test_changing_the_password_opens_the_dashboard_and_is_audited(app, client):
    email, password = created_manager(app, client)
    manager = app.test_client()
    login(manager, email, password)
    token = csrf_token(manager, "/account/password")
    wrong = manager.post("/account/password", data={"csrf_token": token, "current": "nope", "new": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})  # fmt: skip
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    same = manager.post("/account/password", data={"csrf_token": token, "current": password, "new": password,
                                                   "confirm": password})  # fmt: skip
    assert same.status_code == 422
    short = manager.post("/account/password", data={"csrf_token": token, "current": password, "new": "short",
                                                    "confirm": "short"})  # fmt: skip
    assert short.status_code == 422
    done = manager.post("/account/password", data={"csrf_token": token, "current": password, "new": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})  # fmt: skip
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert "Assigned Org" in manager.get("/").get_data(as_text=True)
    user = db.session.scalar(db.select(User).where(User.email == email))
    assert not user.must_change_password and user.check_password(NEW_PASSWORD) and not user.check_password(password)
    (event,) = events("password_changed")
    assert event.actor == email and NEW_PASSWORD not in str(event.details) and password not in str(event.details)
    other = app.test_client()
    assert login(other, email, password).status_code == 200  # the generated password no longer works


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
