"""Issue 10 §5: the password change is throttled like sign-in, failed sign-ins audit only well-formed
emails, and strangers' failed guesses cannot lock an account's owner out of their own browser."""

from __future__ import annotations

import pytest

from tests.admin.helpers import events
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, login
from webapp.extensions import db


def change_password(client, current: str, new: str = "a brand new password 42"):
    token = csrf_token(client, "/account/password")
    form = {"current": current, "new": new, "confirm": new, "csrf_token": token}
    return client.post("/account/password", data=form)


def test_the_current_password_check_is_throttled_like_sign_in(app, client):
    user = make_user()
    db.session.commit()
    assert login(client, user.email).status_code == 302
    statuses = [change_password(client, f"guess number {i} wrong").status_code for i in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429
    blocked = change_password(client, PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_a_successful_password_change_is_not_counted(app, client):
    user = make_user()
    db.session.commit()
    login(client, user.email)
    new = "a brand new password 42"
    for _ in range(3):
        assert change_password(client, PASSWORD, new).status_code == 303
        assert change_password(client, new, PASSWORD).status_code == 303


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>@evil.example",
        "robert'); drop table users;--@x.example",
        "not an email at all",
        "evil\u202egpj.exe@x.example",
        "nobody@localhost",
    ],
    ids=["markup", "sql", "spaces", "bidi", "no-domain-dot"],
)
def test_a_failed_sign_in_audits_a_placeholder_for_anything_but_an_email(app, client, typed):
    response = login(client, typed, "wrong password 123")
    assert response.status_code == 200
    assert [event.target for event in events("sign_in_failed")] == ["(not an email address)"]
    assert all(typed.lower() not in f"{event.target} {event.details}" for event in events())


def test_a_failed_sign_in_audits_a_well_formed_email(app, client):
    assert login(client, "O'Brien+tag@Mail.Example.org", "wrong password 123").status_code == 200
    assert [event.target for event in events("sign_in_failed")] == ["o'brien+tag@mail.example.org"]


def _known_browser_and_attacker(app, email: str):
    """A browser that signed in as `email` and signed out again (it keeps its known-device cookie),
    and a stranger's browser from another address."""
    owner = app.test_client()
    assert login(owner, email).status_code == 302
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/")})
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    return owner, attacker


def test_a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app):
    user = make_user(role="admin")
    db.session.commit()
    owner, attacker = _known_browser_and_attacker(app, user.email)
    statuses = [login(attacker, user.email, f"guess {i} is wrong").status_code for i in range(6)]
    assert statuses[5] == 429
    assert login(attacker, user.email).status_code == 429  # the bucket is full for unknown browsers
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert login(stranger, user.email).status_code == 429
    assert login(owner, user.email).status_code == 302  # the owner's browser still gets in


def test_a_known_device_cookie_only_vouches_for_its_own_account(app):
    first, second = make_user(), make_user()
    db.session.commit()
    owner, attacker = _known_browser_and_attacker(app, first.email)
    for i in range(6):
        login(attacker, second.email, f"guess {i} is wrong")
    assert login(owner, second.email).status_code == 429
    forged = app.test_client()
    forged.set_cookie("known_device", "forged.value.here", path="/login")
    forged.environ_base["REMOTE_ADDR"] = "198.51.100.10"
    assert login(forged, second.email).status_code == 429
