"""Per-client rate limiting: 429 problem with Retry-After; one client's limit never slows another's."""

from __future__ import annotations

import os

import pytest
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES

from tests.api.conftest import bearer_for
from tests.api.tokens import claims_for, sign
from webapp.extensions import limiter
from webapp.services.api_clients import create_client


def exhaust(client, tenant, limit: int) -> None:
    for _ in range(limit):
        assert client.get("/api/v1/organization", headers=tenant.headers).status_code == 200


def assert_limited(client, tenant) -> None:
    response = client.get("/api/v1/balance/latest", headers=tenant.headers)  # the bucket spans endpoints
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # the window is a minute (reset rounds up)
    assert response.get_json()["status"] == 429


def test_one_clients_limit_never_slows_another(app, client, tenant_a, tenant_b, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    exhaust(client, tenant_a, 3)
    assert_limited(client, tenant_a)
    exhaust(client, tenant_b, 3)  # B has its own full bucket
    assert_limited(client, tenant_b)


def test_the_limit_is_per_client_not_per_address(app, client, tenant_a, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    second = create_client(organization_id=tenant_a.org.id, name="second integration")
    exhaust(client, tenant_a, 2)
    assert_limited(client, tenant_a)
    headers = {"Authorization": f"Bearer {bearer_for(app, second)}"}
    assert client.get("/api/v1/organization", headers=headers).status_code == 200


def test_another_organisations_token_never_spends_a_clients_bucket(app, client, tenant_a, tenant_b, monkeypatch):
    """Some views count the request before their query confirms the client; such a token (it would need
    the signing key) is refused and counted in a bucket of its own."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    forged = {"Authorization": f"Bearer {sign(app, claims_for(app, tenant_a, sub=str(tenant_b.org.id)))}"}
    for _ in range(4):
        assert client.get("/api/v1/balance/latest", headers=forged).status_code == 401
    exhaust(client, tenant_a, 3)
    assert_limited(client, tenant_a)


def test_token_endpoint_is_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "2 per minute")
    for _ in range(2):
        assert client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"}).status_code == 401
    response = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 429 and "Retry-After" in response.headers


@pytest.fixture
def redis_limiter():
    """Point the limiter at the Redis of TEST_REDIS_URL for one test, then restore it."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run Redis tests")
    saved = limiter._storage, limiter._limiter
    storage = storage_from_string(url)
    limiter._storage, limiter._limiter = storage, STRATEGIES["fixed-window"](storage)
    try:
        yield storage
    finally:
        limiter._storage, limiter._limiter = saved


@pytest.mark.redis
def test_limits_hold_in_redis_storage(app, client, tenant_a, tenant_b, redis_limiter, monkeypatch):
    assert redis_limiter.check()
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    exhaust(client, tenant_a, 2)
    assert_limited(client, tenant_a)
    exhaust(client, tenant_b, 2)
    keys = redis_limiter.storage.keys("*api-client:*")
    assert any(tenant_a.api.client.client_id.encode() in key for key in keys)


@pytest.fixture
def unreachable_limiter_storage():
    """The limiter's storage pointed at a loopback port nothing listens on (Redis down), then restored."""
    saved = limiter._storage, limiter._limiter, limiter._storage_dead
    storage = storage_from_string("redis://127.0.0.1:1/0")
    limiter._storage, limiter._limiter, limiter._storage_dead = storage, STRATEGIES["fixed-window"](storage), False
    try:
        yield
    finally:
        limiter._storage, limiter._limiter, limiter._storage_dead = saved
        limiter._fallback_storage.reset()


def test_an_unreachable_limit_store_falls_back_to_memory_with_the_same_limits(
    app, client, tenant_a, unreachable_limiter_storage, monkeypatch
):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    exhaust(client, tenant_a, 3)  # served, not a 500
    assert limiter._storage_dead
    assert_limited(client, tenant_a)
