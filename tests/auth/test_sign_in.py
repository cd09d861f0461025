"""Sign-in (SPEC §5, issue 2 §8): argon2id, CSRF, safe `next`, server-side logout, throttling, roles."""

from __future__ import annotations

import time

import pytest

from tests.factories import make_balance, make_org, make_user
from tests.helpers import CSRF, csrf_token, login
from webapp.extensions import db


def test_password_hashes_are_argon2id(app):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_htmx_request_without_session_gets_hx_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_and_see_portfolio(app, client):
    org = make_org(name="Visible Ltd")
    make_balance(org, "1234.5")
    user = make_user(role="admin")
    db.session.commit()
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Visible Ltd" in page
    assert "€1,234.50" in page


def test_login_is_csrf_protected(app, client):
    user = make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "x" * 20})
    assert response.status_code == 400


def test_wrong_password_and_unknown_email_look_the_same(app, client):
    user = make_user()
    db.session.commit()
    wrong = login(client, user.email, "not the password at all")
    unknown = login(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert "Email or password is not correct." in wrong.get_data(as_text=True)
    # the CSRF token carries a timestamp: two requests either side of a second boundary differ there only
    assert CSRF.sub("", wrong.get_data(as_text=True).replace(user.email, "")) == CSRF.sub(
        "", unknown.get_data(as_text=True).replace("nobody@example.com", "")
    )


def test_inactive_users_cannot_sign_in(app, client):
    user = make_user(active=False)
    db.session.commit()
    response = login(client, user.email)
    assert response.status_code == 200 and "Email or password is not correct." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/x",
        "\\\\evil",
    ],
)
def test_next_never_leaves_the_site(app, client, target):
    user = make_user()
    db.session.commit()
    response = login(client, user.email, next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_leads_to_a_local_path(app, client):
    user = make_user()
    db.session.commit()
    response = login(client, user.email, next_path="/healthz?x=1")
    assert response.headers["Location"] == "/healthz?x=1"


def test_session_cookie_flags(app, client):
    user = make_user()
    db.session.commit()
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session_on_the_server(app, client):
    user = make_user()
    db.session.commit()
    login(client, user.email)
    captured = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/").status_code == 302


def test_logout_needs_post_with_csrf(app, client):
    user = make_user()
    db.session.commit()
    login(client, user.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_failed_logins_are_throttled_per_account(app, client):
    user = make_user()
    db.session.commit()
    statuses = [login(client, user.email, "wrong password here").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    blocked = login(client, user.email)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)


def test_throttling_per_account_does_not_reveal_existence(app, client):
    statuses = [login(client, "ghost@example.com", "wrong password here").status_code for _ in range(6)]
    assert statuses[5] == 429


def test_failed_logins_are_throttled_per_address(app):
    client = app.test_client()
    statuses = [login(client, f"user{i}@example.com", "wrong password here").status_code for i in range(6)]
    assert statuses[5] == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert login(other, "someone@example.com", "wrong password here").status_code == 200


def test_managers_see_only_assigned_organisations(app, client):
    mine, _theirs = make_org(name="Mine GmbH"), make_org(name="Theirs SA")
    manager = make_user(role="manager", organizations=[mine])
    db.session.commit()
    login(client, manager.email)
    page = client.get("/").get_data(as_text=True)
    assert "Mine GmbH" in page and "Theirs SA" not in page


def test_admins_see_every_organisation(app, client):
    make_org(name="Mine GmbH"), make_org(name="Theirs SA")
    admin = make_user(role="admin")
    db.session.commit()
    login(client, admin.email)
    page = client.get("/").get_data(as_text=True)
    assert "Mine GmbH" in page and "Theirs SA" in page


def test_names_are_escaped(app, client):
    make_org(name="<img src=x onerror=alert(1)>")
    admin = make_user(role="admin")
    db.session.commit()
    login(client, admin.email)
    page = client.get("/").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_favicon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.get_data().startswith(b"<svg")


def test_login_sessions_expire_after_their_lifetime(app, client, monkeypatch):
    user = make_user()
    db.session.commit()
    login(client, user.email)
    assert client.get("/").status_code == 200
    monkeypatch.setitem(app.config, "LOGIN_SESSION_HOURS", 0.0001)  # about a third of a second
    time.sleep(0.5)
    assert client.get("/").status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_seen(app, tmp_path):
    from flask import request

    from tests.conftest import make_test_app

    proxied = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, TRUSTED_PROXY_COUNT=1)
    seen = []
    proxied.before_request(lambda: seen.append(request.remote_addr))
    proxied.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]  # the direct app (no trusted proxy) ignores the header


@pytest.mark.parametrize("field", ["email", "password"])
def test_nul_bytes_in_the_login_form_are_a_failed_sign_in(app, client, field):
    data = {"email": "a@example.com", "password": "long enough password", "csrf_token": csrf_token(client)}
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    response = client.post("/login", data=data)
    assert response.status_code == 200
    assert "Email or password is not correct." in response.get_data(as_text=True)
