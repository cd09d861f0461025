"""Schemathesis, in process, against the OpenAPI document: every operation, authenticated, all built-in checks."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from tests.api.conftest import at
from webapp.api.cursor import encode_cursor
from webapp.api.openapi_paths import openapi_document

MAX_EXAMPLES = 100

# The document the app serves at /api/v1/openapi.json (test_openapi.py checks they are the same).
schema = schemathesis.openapi.from_dict(openapi_document())


def authenticate(case, token: str) -> None:
    """Organisation A's token on every case, except those that deliberately drop Authorization."""
    if not case.operation.schema.is_security_param_negated(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


def use_genuine_cursor(case, cursor: str) -> None:
    """A cursor's validity is a signature no schema can express: swap a generated string that the
    schema allows for a genuine cursor, so valid requests reach the keyset path. Over-long or
    non-string cursors (the negative cases) are left alone; test_errors_and_params covers junk cursors."""
    value = (case.query or {}).get("cursor")
    if isinstance(value, str) and len(value) <= 512:
        case.query["cursor"] = cursor


def use_genuine_credentials(case, tenant) -> None:
    """Generated client credentials are any strings; swap string ones for organisation A's real pair so
    the 200 answer of the token endpoint is validated too (non-string mutations stay negative cases)."""
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("client_id"), str) and isinstance(body.get("client_secret"), str):
        case.body = {**body, "client_id": tenant.api.client.client_id, "client_secret": tenant.api.secret}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_conforms(case, app, tenant_a, tenant_b, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1000000 per minute")
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "1000000 per minute")
    use_genuine_credentials(case, tenant_a)
    use_genuine_cursor(case, encode_cursor(app.config["JWT_SECRET"], tenant_a.org.id, at(2), 10**9))
    case.operation.schema.app = app  # in-process WSGI transport, also for the checks that send probes
    authenticate(case, tenant_a.token)
    case.call_and_validate(app=app)


def test_every_builtin_check_is_enabled():
    load_all_checks()
    for result in schema.get_all_operations():
        operation = result.ok()
        config = schema.config.checks_config_for(operation=operation, phase=None)
        disabled = [check.__name__ for check in CHECKS.get_all() if not config.get_by_name(name=check.__name__).enabled]
        assert not disabled, f"{operation.label}: {disabled}"
