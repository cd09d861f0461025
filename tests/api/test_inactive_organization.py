"""Issue 10 §5: deactivating an organisation stops its API access at once: its outstanding tokens get a
401 on every route (whatever the view would have answered) and no new token is issued; reactivating
restores both. The other tenant is unaffected."""

from __future__ import annotations

import base64

from tests.api.tokens import assert_unauthorized, expected_answers
from webapp.extensions import db
from webapp.services.organizations import update_organization


def set_active(organization, active: bool) -> None:
    update_organization(
        organization,
        name=organization.name,
        provider_ref=organization.provider_account_ref,
        threshold=None,
        active=active,
    )
    db.session.commit()  # the caller owns the transaction
    db.session.expire_all()


def request_token(client, tenant):
    raw = f"{tenant.api.client.client_id}:{tenant.api.secret}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    return client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"}, headers=headers)


def test_a_deactivated_organisations_tokens_get_401_on_every_route(client, tenant_a, tenant_b):
    assert client.get("/api/v1/organization", headers=tenant_a.headers).status_code == 200
    set_active(tenant_a.org, False)
    for url in expected_answers():
        assert_unauthorized(client.get(url, headers=tenant_a.headers))
        assert client.head(url, headers=tenant_a.headers).status_code == 401
    assert client.get("/api/v1/organization", headers=tenant_b.headers).status_code == 200


def test_a_deactivated_organisations_client_gets_no_new_token(client, tenant_a, tenant_b):
    assert request_token(client, tenant_a).status_code == 200
    set_active(tenant_a.org, False)
    refused = request_token(client, tenant_a)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    assert "access_token" not in refused.get_json()
    assert request_token(client, tenant_b).status_code == 200


def test_reactivating_restores_access(client, tenant_a):
    set_active(tenant_a.org, False)
    assert request_token(client, tenant_a).status_code == 401
    set_active(tenant_a.org, True)
    token = request_token(client, tenant_a).get_json()["access_token"]
    assert client.get("/api/v1/organization", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/organization", headers=tenant_a.headers).status_code == 200
