"""POST /api/v1/oauth/token: client credentials by Basic or form, RFC 6749 errors, short-lived JWTs."""

from __future__ import annotations

import base64
import time
from urllib.parse import quote_plus

import jwt
import pytest

from webapp.services.api_clients import revoke_client

URL = "/api/v1/oauth/token"
GRANT = {"grant_type": "client_credentials"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def test_basic_auth_issues_a_bearer_jwt_with_the_required_claims(app, client, tenant_a):
    response = client.post(URL, data=GRANT, headers=basic(tenant_a.api.client.client_id, tenant_a.api.secret))
    assert response.status_code == 200, response.get_data()
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "jti", "client_id"}
    assert claims["sub"] == str(tenant_a.org.id) and claims["client_id"] == tenant_a.api.client.client_id
    assert claims["exp"] - claims["iat"] == 3600 and abs(claims["iat"] - time.time()) < 60
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    me = client.get("/api/v1/organization", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.get_json()["id"] == tenant_a.org.id
    assert tenant_a.api.client.last_used_at is not None


def test_form_fields_authenticate_too_and_ttl_is_configurable(app, client, tenant_a, monkeypatch):
    monkeypatch.setitem(app.config, "JWT_TTL_SECONDS", 300)
    form = {**GRANT, "client_id": tenant_a.api.client.client_id, "client_secret": tenant_a.api.secret}
    response = client.post(URL, data=form)
    assert response.status_code == 200 and response.get_json()["expires_in"] == 300


def assert_oauth_error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.get_data()
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["error"] == error and body["status"] == status and body["error_description"]
    return body


def test_wrong_secret_unknown_and_revoked_clients_are_invalid_client(client, tenant_a):
    client_id = tenant_a.api.client.client_id
    wrong = client.post(URL, data=GRANT, headers=basic(client_id, "not-the-secret"))
    assert_oauth_error(wrong, 401, "invalid_client")
    assert wrong.headers["WWW-Authenticate"].startswith("Basic ")
    assert_oauth_error(client.post(URL, data=GRANT, headers=basic("adc_nobody", "x")), 401, "invalid_client")
    assert_oauth_error(client.post(URL, data=GRANT), 401, "invalid_client")
    revoke_client(client_id)
    revoked = client.post(URL, data=GRANT, headers=basic(client_id, tenant_a.api.secret))
    assert_oauth_error(revoked, 401, "invalid_client")


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": ["client_credentials", "client_credentials"]}, 400, "invalid_request"),
    ],
)
def test_grant_errors(client, tenant_a, data, status, error):
    headers = basic(tenant_a.api.client.client_id, tenant_a.api.secret)
    assert_oauth_error(client.post(URL, data=data, headers=headers), status, error)


def test_two_authentication_methods_at_once_are_refused(client, tenant_a):
    form = {**GRANT, "client_id": tenant_a.api.client.client_id, "client_secret": tenant_a.api.secret}
    both = client.post(URL, data=form, headers=basic(tenant_a.api.client.client_id, tenant_a.api.secret))
    assert_oauth_error(both, 400, "invalid_request")


def test_credentials_in_the_url_and_other_media_types_are_refused(client, tenant_a):
    query = f"?client_id={tenant_a.api.client.client_id}&client_secret={tenant_a.api.secret}"
    assert_oauth_error(client.post(URL + query, data=GRANT), 400, "invalid_request")
    as_json = client.post(URL, json={**GRANT}, headers=basic(tenant_a.api.client.client_id, tenant_a.api.secret))
    assert as_json.status_code == 415 and as_json.content_type == "application/problem+json"
    assert client.post(URL, headers={"Authorization": "Basic !!!"}, data=GRANT).status_code == 401


def test_token_endpoint_needs_no_csrf_token_and_only_accepts_post(app, client, tenant_a):
    assert app.config["WTF_CSRF_ENABLED"]
    response = client.post(URL, data=GRANT, headers=basic(tenant_a.api.client.client_id, tenant_a.api.secret))
    assert response.status_code == 200
    get = client.get(URL)
    assert get.status_code == 405 and get.content_type == "application/problem+json" and "POST" in get.headers["Allow"]
