"""Support for the API token tests: claims, signing, the 401 every refused token gets, and the answers
a live client gets from every authenticated route."""

from __future__ import annotations

import time

import jwt

from webapp.api.blueprint import PUBLIC_ENDPOINTS


def claims_for(app, tenant, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": app.config["JWT_ISSUER"],
        "aud": app.config["JWT_AUDIENCE"],
        "sub": str(tenant.org.id),
        "iat": now,
        "exp": now + 600,
        "jti": "forged-test",
        "client_id": tenant.api.client.client_id,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def sign(app, claims: dict, key: str | None = None) -> str:
    return jwt.encode(claims, key or app.config["JWT_SECRET"], algorithm="HS256")


def assert_unauthorized(response) -> None:
    assert response.status_code == 401, response.get_data()
    assert response.content_type == "application/problem+json"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert response.get_json()["status"] == 401


# Every authenticated route, each with requests that a live client gets answered 200, 404 and 422: some
# views confirm the client in the same SQL statement that reads the data, and every one of these answers
# must still become a 401 once the client is revoked or its organisation is gone.
ANSWERS = {
    "/api/v1/organization": {"": 200, "?extra=1": 422},
    "/api/v1/balance/latest": {"": 200, "?extra=1": 422},
    "/api/v1/balance/history": {"": 200, "?from=2030-01-01T00:00:00Z": 200, "?limit=0": 422},
    "/api/v1/balance/history.csv": {"": 200, "?to=abc": 422},
    "/api/v1/costs/latest": {"?year=2026&month=3": 200, "?year=2024&month=1": 404, "?year=2026&month=13": 422},
    "/api/v1/costs/months": {"": 200, "?extra=1": 422},
    "/api/v1/costs/usage-lines.csv": {"?year=2026&month=3": 200, "?year=2024&month=1": 404, "?month=3": 422},
    "/api/v1/forecast": {"": 200, "?extra=1": 422},
}


def authenticated_routes(app) -> set[str]:
    return {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api") and rule.endpoint not in PUBLIC_ENDPOINTS
    }


def answers_for(client, headers) -> dict[str, int]:
    return {path + query: client.get(path + query, headers=headers).status_code
            for path, queries in ANSWERS.items() for query in queries}  # fmt: skip


def expected_answers() -> dict[str, int]:
    return {path + query: status for path, queries in ANSWERS.items() for query, status in queries.items()}
