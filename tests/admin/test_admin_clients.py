"""Issue 6 §3: API clients per organisation: created with the secret shown once (and a copy button that needs
no inline script), listed with created / last used / revoked, revoked so that their tokens stop at once."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import admin, events, post
from tests.factories import make_org
from webapp.extensions import db
from webapp.models import ApiClient

TOKEN_URL = "/api/v1/oauth/token"


def create(client, org_id: int, name: str = "ERP sync"):
    return post(client, "/admin/clients", {"organization_id": org_id, "name": name}, page="/admin/clients")


def secret_of(page: str) -> tuple[str, str]:
    client_id = re.search(r'id="new-client-id">([^<]+)<', page).group(1)
    secret = re.search(r'id="new-client-secret" class="secret">([^<]+)<', page).group(1)
    return client_id, secret


def test_create_shows_the_secret_once_and_it_gets_a_token(app, client):
    org = make_org(name="Tenant One")
    admin(client)
    response = create(client, org.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    client_id, secret = secret_of(page)
    assert 'data-copy="#new-client-secret"' in page and "<script>" not in page
    stored = db.session.scalar(db.select(ApiClient).where(ApiClient.client_id == client_id))
    assert stored.organization_id == org.id and secret not in stored.secret_hash
    listing = client.get("/admin/clients").get_data(as_text=True)
    assert client_id in listing and secret not in listing  # shown once only
    token = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert token.status_code == 200, token.get_data(as_text=True)
    (event,) = events("api_client_created")
    assert event.details == {"organization_id": org.id, "name": "ERP sync"} and secret not in str(event.details)


def test_a_double_submit_does_not_create_a_second_client(app, client):
    org = make_org()
    admin(client)
    assert create(client, org.id).status_code == 200
    again = create(client, org.id)
    assert again.status_code == 422 and "already has an active client named" in again.get_data(as_text=True)
    assert len(db.session.scalars(db.select(ApiClient)).all()) == 1


def test_bad_input_is_refused_next_to_the_field(app, client):
    admin(client)
    page = create(client, 999999).get_data(as_text=True)
    assert 'id="organization_id-error">No organisation with id 999999.' in page
    org = make_org()
    assert 'id="name-error">Client name must be 1–200 characters.' in create(client, org.id, "").get_data(as_text=True)


def test_revoke_stops_its_tokens_at_once_and_the_list_says_so(app, client):
    org = make_org()
    admin(client)
    client_id, secret = secret_of(create(client, org.id).get_data(as_text=True))
    grant = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    bearer = {"Authorization": "Bearer " + client.post(TOKEN_URL, data=grant).get_json()["access_token"]}
    assert client.get("/api/v1/organization", headers=bearer).status_code == 200
    listing = client.get("/admin/clients").get_data(as_text=True)
    assert "never" not in listing.split(client_id, 1)[1].split("</tr>", 1)[0]  # last used is shown now
    response = post(client, f"/admin/clients/{client_id}/revoke", page="/admin/clients")
    assert response.status_code == 303
    assert client.get("/api/v1/organization", headers=bearer).status_code == 401
    assert client.post(TOKEN_URL, data=grant).status_code in (400, 401)
    row = client.get("/admin/clients").get_data(as_text=True).split(client_id, 1)[1].split("</tr>", 1)[0]
    assert "revoked</span>" in row and "Revoke" not in row
    assert post(client, f"/admin/clients/{client_id}/revoke", page="/admin/clients").status_code == 303  # no-op
    assert [e.target for e in events("api_client_revoked")] == [f"api client {client_id}"]
    assert post(client, "/admin/clients/adc_unknown/revoke", page="/admin/clients").status_code == 404


def test_the_organisation_page_lists_its_clients(app, client):
    org, other = make_org(), make_org()
    admin(client)
    mine, _ = secret_of(create(client, org.id, "Mine").get_data(as_text=True))
    theirs, _ = secret_of(create(client, other.id, "Theirs").get_data(as_text=True))
    page = client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    assert mine in page and theirs not in page


@pytest.mark.parametrize(
    "data", [{"organization_id": "9" * 30, "name": "ERP"}, {"organization_id": "1", "name": "E\x00RP"}]
)
def test_odd_form_input_is_refused_next_to_the_field(app, client, data):
    make_org()
    admin(client)
    response = post(client, "/admin/clients", data)
    assert response.status_code == 422
