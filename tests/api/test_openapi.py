"""The OpenAPI 3.1 document covers every route, code and schema; /api/docs renders it offline under the CSP."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from webapp.api.docs import code_spans
from webapp.api.openapi import AMOUNT_PATTERN
from webapp.api.openapi_paths import openapi_document
from webapp.domain.money import format_amount


def test_served_document_is_the_built_one(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == openapi_document()
    assert response.get_json()["openapi"] == "3.1.0"


def test_every_api_route_and_method_is_documented(app):
    document = openapi_document()
    base = document["servers"][0]["url"]
    documented = {(base + path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def test_every_operation_declares_its_error_codes():
    document = openapi_document()
    for path, item in document["paths"].items():
        for operation in item.values():
            codes = set(operation["responses"])
            assert {"200", "429", "500"} <= codes, path
            if operation.get("security", document["security"]):
                assert {"400", "401", "422"} <= codes, path  # 422 also for unknown query parameters
                assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("value", ["12.5", "0.0042", "-3.1", "0", "1234567890.12345678", "-0.00000001", "100"])
def test_amount_pattern_matches_what_the_api_emits(value):
    assert re.fullmatch(AMOUNT_PATTERN, format_amount(Decimal(value)))


@pytest.mark.parametrize("value", ["12.5", "1e3", "12", "+1.00", ".50", "01.00", "1.123456789", "NaN"])
def test_amount_pattern_refuses_other_forms(value):
    assert not re.fullmatch(AMOUNT_PATTERN, value)


def test_docs_page_renders_every_operation_offline_under_the_csp(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for path in openapi_document()["paths"]:
        assert f"/api{path}" in html
    assert "bearer" in html.lower() and "Problem" in html and "^-?(0|[1-9][0-9]{0,9})" in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the docs page must not load anything remote"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    stylesheet = client.get("/static/css/api-docs.css")
    assert stylesheet.status_code == 200
    stylesheet.close()


def test_docs_code_spans_escape_before_marking_up():
    assert str(code_spans("use `a<b>` not <script>")) == "use <code>a&lt;b&gt;</code> not &lt;script&gt;"
