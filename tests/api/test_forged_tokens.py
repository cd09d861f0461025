"""Forged and stale tokens: every one is a 401 problem with a Bearer challenge, none a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from sqlalchemy import text

from tests.api.conftest import bearer_for
from tests.api.tokens import (
    ANSWERS,
    answers_for,
    assert_unauthorized,
    authenticated_routes,
    claims_for,
    expected_answers,
    sign,
)
from tests.factories import make_org
from tests.helpers import sql_statements
from webapp.extensions import db
from webapp.services.api_clients import create_client, revoke_client

PATHS = (
    "/api/v1/organization",
    "/api/v1/balance/latest",
    "/api/v1/balance/history",
    "/api/v1/costs/latest?year=2026&month=3",
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(header: dict, claims: dict, key: bytes) -> str:
    """A JWT signed by hand (PyJWT refuses to use PEM text as an HMAC key, an attacker would not)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


# A public key (public by definition): the classic RS256 -> HS256 confusion uses its PEM text as the HMAC key.
PUBLIC_PEM = b"""-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArlLpswo1IpG6yAjXPnbu
Wt5AZeUh1A27S6UjJZ9o1mlxzsklLYdqELXY7HlQe3orgdQRLkVcKnqxWBvHLium
f9r0LMfMK4PoivOHZed1HVpb0E9XOm6ngOUYr/MHFUsZFPlLvdTW70b/zgebDDrs
fWX222ZyJDDAeIu79NXzijWur7iH/mUprPa5GkyLCWsIo4vY4KdrSm37TSp4x8Xz
HG+GUZGtPZe6UzUbAfQHRBF81ZWxsRRGdNm/ERg2Z7mcrnHUAURWHm9NzYqO3WTA
1RXisRQ/nKhWWUUjbSFMl5ZS+dgE4JsjqVYqwDQqP7m7/hYdggX4CWSfeH3b+YFf
DwIDAQAB
-----END PUBLIC KEY-----
"""


def forged_headers(app, tenant, case: str) -> dict[str, str]:
    now = int(time.time())
    tokens = {
        "alg none": lambda: jwt.encode(claims_for(app, tenant), None, algorithm="none"),
        "HS256 signed with a public key": lambda: hand_signed(
            {"alg": "HS256", "typ": "JWT"}, claims_for(app, tenant), PUBLIC_PEM
        ),
        "wrong key": lambda: sign(app, claims_for(app, tenant), "x" * 48),
        "wrong iss": lambda: sign(app, claims_for(app, tenant, iss="someone-else")),
        "wrong aud": lambda: sign(app, claims_for(app, tenant, aud="another-api")),
        "expired beyond leeway": lambda: sign(app, claims_for(app, tenant, iat=now - 4000, exp=now - 31)),
        "nbf in the future": lambda: sign(app, claims_for(app, tenant, nbf=now + 120)),
        "iat in the future": lambda: sign(app, claims_for(app, tenant, iat=now + 120, exp=now + 3720)),
        "missing exp": lambda: sign(app, claims_for(app, tenant, exp=None)),
        "missing sub": lambda: sign(app, claims_for(app, tenant, sub=None)),
        "missing jti": lambda: sign(app, claims_for(app, tenant, jti=None)),
        "missing client id": lambda: sign(app, claims_for(app, tenant, client_id=None)),
        "sub of another organisation": lambda: sign(app, claims_for(app, tenant, sub=str(tenant.org.id + 1))),
        "organisation that no longer exists": lambda: sign(app, claims_for(app, tenant, sub="987654321")),
        "non-numeric sub": lambda: sign(app, claims_for(app, tenant, sub="1 OR 1=1")),
        "huge sub": lambda: sign(app, claims_for(app, tenant, sub="9" * 18)),
        "over-long sub": lambda: sign(app, claims_for(app, tenant, sub="9" * 40)),
        "non-string sub": lambda: sign(app, claims_for(app, tenant, sub=tenant.org.id)),
        "unknown client id": lambda: sign(app, claims_for(app, tenant, client_id="adc_nobody")),
        "client id with a NUL byte": lambda: sign(app, claims_for(app, tenant, client_id="adc_\x00x")),
        "garbage": lambda: "not.a.jwt",
        "unicode garbage": lambda: "\u00e9\u00e9.\u00e9.\u00e9",
    }
    if case in tokens:
        return {"Authorization": f"Bearer {tokens[case]()}"}
    return {
        "empty bearer": {"Authorization": "Bearer "},
        "no scheme": {"Authorization": tenant.token},
        "basic scheme": {"Authorization": "Basic " + b64(b"a:b")},
        "8 KB header": {"Authorization": "Bearer " + "a" * 8192},
        "no header": {},
    }[case]


CASES = [
    "alg none",
    "HS256 signed with a public key",
    "wrong key",
    "wrong iss",
    "wrong aud",
    "expired beyond leeway",
    "nbf in the future",
    "iat in the future",
    "missing exp",
    "missing sub",
    "missing jti",
    "missing client id",
    "sub of another organisation",
    "organisation that no longer exists",
    "non-numeric sub",
    "huge sub",
    "over-long sub",
    "non-string sub",
    "unknown client id",
    "client id with a NUL byte",
    "garbage",
    "unicode garbage",
    "empty bearer",
    "no scheme",
    "basic scheme",
    "8 KB header",
    "no header",
]


@pytest.mark.parametrize("case", CASES)
def test_forged_token_is_401(app, client, tenant_a, tenant_b, case):
    headers = forged_headers(app, tenant_a, case)
    for path in PATHS:
        assert_unauthorized(client.get(path, headers=headers))


def test_the_genuine_token_works(client, tenant_a):
    assert client.get(PATHS[0], headers=tenant_a.headers).status_code == 200


def test_expiry_within_the_leeway_is_accepted(app, client, tenant_a):
    now = int(time.time())
    token = sign(app, claims_for(app, tenant_a, iat=now - 3600, exp=now - 10))
    assert client.get(PATHS[0], headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_revoking_a_client_fails_its_outstanding_tokens_at_once(client, tenant_a):
    assert client.get(PATHS[0], headers=tenant_a.headers).status_code == 200
    revoke_client(tenant_a.api.client.client_id)
    assert_unauthorized(client.get(PATHS[0], headers=tenant_a.headers))


def delete_organization_behind_the_apps_back(org_id: int) -> None:
    """The app has no way to delete an organisation; simulate one vanishing (inside the test's rolled-back
    transaction) by deferring foreign-key checks (SQLite) or disabling FK triggers (PostgreSQL)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
    else:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text("DELETE FROM organizations WHERE id = :id"), {"id": org_id})


def test_a_token_whose_organisation_no_longer_exists_is_401(app, client):
    org = make_org()
    new = create_client(organization_id=org.id, name="orphaned")
    headers = {"Authorization": f"Bearer {bearer_for(app, new)}"}
    assert client.get(PATHS[0], headers=headers).status_code == 200
    delete_organization_behind_the_apps_back(org.id)
    db.session.expire_all()
    for path in PATHS:
        assert_unauthorized(client.get(path, headers=headers))


def test_every_authenticated_route_has_answers_to_refuse(app):
    assert authenticated_routes(app) == set(ANSWERS)


def test_a_revoked_client_gets_401_instead_of_every_answer(client, tenant_a):
    assert answers_for(client, tenant_a.headers) == expected_answers()
    etags = {url: client.get(url, headers=tenant_a.headers).headers.get("ETag") for url in expected_answers()}
    assert etags["/api/v1/balance/latest"] and etags["/api/v1/costs/latest?year=2026&month=3"]
    revoke_client(tenant_a.api.client.client_id)
    for url, etag in etags.items():
        assert_unauthorized(client.get(url, headers=tenant_a.headers))
        head = client.head(url, headers=tenant_a.headers)
        assert head.status_code == 401 and 'error="invalid_token"' in head.headers["WWW-Authenticate"]
        if etag:  # a conditional request is no oracle for whether the data changed
            assert_unauthorized(client.get(url, headers={**tenant_a.headers, "If-None-Match": etag}))


def test_a_vanished_organisation_gets_401_instead_of_every_answer(client, tenant_a):
    assert answers_for(client, tenant_a.headers) == expected_answers()
    delete_organization_behind_the_apps_back(tenant_a.org.id)
    db.session.expire_all()
    for url in expected_answers():
        assert_unauthorized(client.get(url, headers=tenant_a.headers))


def test_another_organisations_sub_never_reads_its_data(app, client, tenant_a, tenant_b):
    """A's client id with B's organisation in `sub` (as if the signing key had leaked): refused, not B's data."""
    token = sign(app, claims_for(app, tenant_a, sub=str(tenant_b.org.id)))
    for url in expected_answers():
        assert_unauthorized(client.get(url, headers={"Authorization": f"Bearer {token}"}))


def test_the_latest_endpoints_check_the_client_and_read_in_one_statement(client, tenant_a):
    for url in ("/api/v1/balance/latest", "/api/v1/costs/latest?year=2026&month=3"):
        with sql_statements() as statements:
            assert client.get(url, headers=tenant_a.headers).status_code == 200
        assert len(statements) == 1, statements
        assert "api_clients.revoked_at IS NULL" in statements[0]


def test_a_revoked_client_gets_401_even_when_the_view_fails(app, client, tenant_a, monkeypatch):
    db.session.commit()  # the 500 path rolls the session back; the client row must outlive that
    monkeypatch.setattr("webapp.api.resources.latest_balance_stmt", lambda *_: 1 / 0)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert client.get("/api/v1/balance/latest", headers=tenant_a.headers).status_code == 500
    revoke_client(tenant_a.api.client.client_id)
    db.session.commit()
    assert_unauthorized(client.get("/api/v1/balance/latest", headers=tenant_a.headers))
