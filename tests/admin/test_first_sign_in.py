"""Issue 6 §2: a user created by an admin must replace the generated password at first sign-in; until then every
page, partial and form leads to the change form, and the generated password opens nothing else."""

from __future__ import annotations

import re

from tests.admin.helpers import admin, events, post
from tests.factories import make_org
from tests.helpers import csrf_token, login
from webapp.extensions import db
from webapp.models import User

NEW_PASSWORD = "my own long passphrase 42"


def created_manager(app, client) -> tuple[str, str]:
    org = make_org(name="Assigned Org")
    admin(client)
    page = post(client, "/admin/users", {"email": "first@example.com", "role": "manager"}).get_data(as_text=True)
    password = re.search(r'id="new-user-password" class="secret">([^<]+)<', page).group(1)
    user = db.session.scalar(db.select(User).where(User.email == "first@example.com"))
    post(client, f"/admin/users/{user.id}/assignments", {"organizations": [org.id]})
    assert user.must_change_password
    return "first@example.com", password


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
