"""Issue 6 §2: users are created (password shown once), change role, get organisations assigned and unassigned
(the manager's portfolio follows at once), are deactivated (sessions end at once); the last admin stays."""

from __future__ import annotations

import re

from tests.admin.helpers import admin, events, post
from tests.dashboard_data import signed_in
from tests.factories import make_org, make_user
from tests.helpers import login
from webapp.extensions import db
from webapp.models import LoginSession, User


def test_create_a_user_shows_a_password_once_that_signs_in(app, client):
    admin(client)
    response = post(client, "/admin/users", {"email": "New.Manager@Example.com", "role": "manager"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="new-user-password" class="secret">([^<]+)<', page).group(1)
    user = db.session.scalar(db.select(User).where(User.email == "new.manager@example.com"))
    assert user.role == "manager" and user.check_password(password)
    assert password not in client.get("/admin/users").get_data(as_text=True)  # once
    (event,) = events("user_created")
    assert password not in str(event.details) and event.details == {"role": "manager"}
    again = post(client, "/admin/users", {"email": "new.manager@example.com", "role": "manager"})
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)
    other = app.test_client()
    assert login(other, "new.manager@example.com", password).status_code == 302


def test_bad_input_is_shown_next_to_the_field(app, client):
    admin(client)
    page = post(client, "/admin/users", {"email": "not-an-email", "role": "manager"}).get_data(as_text=True)
    assert 'id="email-error">Not an email address' in page
    assert post(client, "/admin/users", {"email": "a@b.cd", "role": "root"}).status_code == 422


def test_assign_and_unassign_changes_the_managers_portfolio_at_once(app, client):
    first, second = make_org(name="First Org"), make_org(name="Second Org")
    manager_client = app.test_client()
    manager = signed_in(manager_client)
    admin(client)
    assert manager_client.get(f"/orgs/{first.id}").status_code == 404
    response = post(client, f"/admin/users/{manager.id}/assignments", {"organizations": [first.id, second.id]})
    assert response.status_code == 303
    assert manager_client.get(f"/orgs/{first.id}").status_code == 200
    assert post(client, f"/admin/users/{manager.id}/assignments", {"organizations": [second.id]}).status_code == 303
    assert manager_client.get(f"/orgs/{first.id}").status_code == 404
    portfolio = manager_client.get("/").get_data(as_text=True)
    assert "Second Org" in portfolio and "First Org" not in portfolio
    added, removed = events("assignments_changed")
    assert added.details == {"added": [first.id, second.id], "removed": []}
    assert removed.details == {"added": [], "removed": [first.id]}
    # A double submit is a no-op: nothing changes, nothing is recorded.
    post(client, f"/admin/users/{manager.id}/assignments", {"organizations": [second.id]})
    assert len(events("assignments_changed")) == 2
    assert post(client, f"/admin/users/{manager.id}/assignments", {"organizations": [999999]}).status_code == 422


def test_deactivating_a_user_ends_their_sessions_at_once(app, client):
    org = make_org()
    manager_client = app.test_client()
    manager = signed_in(manager_client, organizations=[org])
    assert manager_client.get("/").status_code == 200
    admin(client)
    assert post(client, f"/admin/users/{manager.id}/active", {"active": "0"}).status_code == 303
    assert manager_client.get("/").status_code == 302  # signed out on the next request
    open_sessions = db.select(LoginSession).where(LoginSession.user_id == manager.id, LoginSession.ended_at.is_(None))
    assert db.session.scalars(open_sessions).all() == []
    assert login(manager_client, manager.email).status_code == 200  # cannot sign in again
    assert [e.target for e in events("user_deactivated")] == [f"user {manager.id} ({manager.email})"]
    assert post(client, f"/admin/users/{manager.id}/active", {"active": "0"}).status_code == 303  # idempotent
    assert len(events("user_deactivated")) == 1
    assert post(client, f"/admin/users/{manager.id}/active", {"active": "1"}).status_code == 303
    assert login(manager_client, manager.email).status_code == 302


def test_change_role(app, client):
    user = make_user(role="manager")
    admin(client)
    assert post(client, f"/admin/users/{user.id}/role", {"role": "admin"}).status_code == 303
    db.session.refresh(user)
    assert user.role == "admin"
    (event,) = events("user_role_changed")
    assert event.details == {"from": "manager", "to": "admin"}


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app, client):
    me = admin(client)
    make_user(role="admin", active=False)  # an inactive admin does not count
    demote = post(client, f"/admin/users/{me.id}/role", {"role": "manager"})
    assert demote.status_code == 422 and "last active admin" in demote.get_data(as_text=True)
    deactivate = post(client, f"/admin/users/{me.id}/active", {"active": "0"})
    assert deactivate.status_code == 422 and "last active admin" in deactivate.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role == "admin" and me.active
    assert client.get("/admin/users").status_code == 200  # still signed in, still admin
    other = make_user(role="admin")
    db.session.commit()
    assert post(client, f"/admin/users/{other.id}/active", {"active": "0"}).status_code == 303
    assert post(client, f"/admin/users/{me.id}/role", {"role": "manager"}).status_code == 422


def test_unknown_user_is_404(app, client):
    admin(client)
    assert client.get("/admin/users/999999").status_code == 404
    assert post(client, "/admin/users/999999/role", {"role": "admin"}).status_code == 404


def test_odd_form_input_is_refused_next_to_the_field(app, client):
    make_org()
    admin(client)
    response = post(client, "/admin/users", {"email": "a\x00b@example.com", "role": "manager"})
    assert response.status_code == 422


def test_assigning_an_impossible_organisation_id_is_refused(app, client):
    manager = make_user(role="manager")
    admin(client)
    response = post(client, f"/admin/users/{manager.id}/assignments", {"organizations": ["9" * 30]},
                    page=f"/admin/users/{manager.id}")  # fmt: skip
    assert response.status_code == 422
