"""Probes: /healthz (process up) and /readyz (database, and Redis when configured)."""

from __future__ import annotations

import os

import pytest


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok"}


def test_readyz_reports_unreachable_redis(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 503
    assert response.json["checks"]["redis"].startswith("error")


@pytest.mark.redis
def test_readyz_with_real_redis(app, client):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but TEST_REDIS_URL is not set")
        pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run Redis tests")
    app.config["REDIS_URL"] = url
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}
