"""The /api blueprint object, its bearer authentication and per-client rate limit."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from webapp.api.auth import authenticate_request
from webapp.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # no cookies are honoured here, so there is nothing to forge

# Endpoints reachable without a bearer token.
PUBLIC_ENDPOINTS = frozenset({"api.token", "api.openapi", "api.docs"})


@bp.before_request
def require_bearer_token() -> None:
    g.api_principal = None
    if request.endpoint not in PUBLIC_ENDPOINTS:
        g.api_principal = authenticate_request()


def _client_key() -> str:
    return f"api-client:{g.api_principal.client_id}"


# One bucket per API client, shared by every authenticated endpoint.
per_client_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_client_key)
