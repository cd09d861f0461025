"""The account page's alert mail preference (SPEC §10): instant + digest / digest only / off, admins opt in;
saved and audited, junk refused with a form error (4xx), and the choice decides who gets mail."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import events
from tests.dashboard_data import signed_in
from tests.factories import make_org
from tests.helpers import csrf_token
from webapp.alerts.recipients import digest_recipients, instant_recipients, preference_of
from webapp.extensions import db


def choose(client, **fields):
    return client.post("/account/alert-mail", data={"csrf_token": csrf_token(client, "/account"), **fields})


def test_the_page_offers_the_three_choices_with_the_default_checked(app, client):
    signed_in(client)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="alert-mail-form"' in page
    assert re.search(r'<input checked id="email-\d" name="email" type="radio" value="instant_digest">', page)
    assert "The daily digest only" in page and "No alert mail" in page
    assert "admin_opt_in" not in page  # a manager has nothing to opt in to


def test_a_manager_chooses_digest_only_then_off_saved_audited_and_obeyed(app, client):
    org = make_org()
    user = signed_in(client, organizations=[org])
    assert [u.id for u in instant_recipients(org.id)] == [user.id]
    response = choose(client, email="digest")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert preference_of(user).email == "digest" and instant_recipients(org.id) == []
    assert [u.id for u in digest_recipients()] == [user.id]
    assert choose(client, email="off").status_code == 303
    assert digest_recipients() == []
    first, second = events("alert_mail_changed")
    assert first.actor == user.email and first.details["after"] == {"email": "digest", "admin_opt_in": False}
    assert second.details["before"]["email"] == "digest" and second.details["after"]["email"] == "off"
    assert "Nothing to change." in client.get(choose(client, email="off").headers["Location"]).get_data(as_text=True)


def test_an_admin_opts_in_and_gets_every_organisations_critical_mail(app, client):
    org = make_org()
    admin = signed_in(client, role="admin")
    assert "admin_opt_in" in client.get("/account").get_data(as_text=True)
    assert instant_recipients(org.id) == []
    assert choose(client, email="instant_digest", admin_opt_in="y").status_code == 303
    assert [u.id for u in instant_recipients(org.id)] == [admin.id]
    (event,) = events("alert_mail_changed")
    assert event.details["after"] == {"email": "instant_digest", "admin_opt_in": True}


@pytest.mark.parametrize("junk", ["", "always", "instant_digest\r\nx", "x" * 500])
def test_junk_is_a_form_error_not_a_500_and_nothing_changes(app, client, junk):
    user = signed_in(client)
    response = choose(client, email=junk)
    assert response.status_code == 422
    assert "Choose one of the offered ways to get alert mail." in response.get_data(as_text=True)
    db.session.expire_all()
    assert preference_of(user).email == "instant_digest" and events("alert_mail_changed") == []


def test_a_manager_cannot_opt_in_as_an_admin(app, client):
    user = signed_in(client)
    assert choose(client, email="digest", admin_opt_in="y").status_code == 303
    assert preference_of(user).admin_opt_in is False


def test_without_a_csrf_token_the_post_is_refused(app, client):
    signed_in(client)
    assert client.post("/account/alert-mail", data={"email": "off"}).status_code == 400
