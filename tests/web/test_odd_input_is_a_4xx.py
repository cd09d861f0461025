"""Odd input found in review: each is a clear 4xx (or an ordinary failed sign-in), never a 500, on both backends."""

from __future__ import annotations

import base64

import pytest

from tests.factories import make_org, make_user
from tests.helpers import login
from webapp.extensions import db


@pytest.fixture
def org(app):
    return make_org(name="Only Org")


@pytest.fixture
def admin_client(app, client, org):
    admin = make_user(role="admin")
    db.session.commit()
    login(client, admin.email)
    return client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/?page=%C2%B2", 400),  # "²" is a digit to str.isdigit() but not to int()
        ("/?page=99999999999", 400),
        ("/?q=%00", 200),  # NUL dropped from the search text (PostgreSQL refuses NUL in text)
        ("/orgs/99999999999999999999", 404),  # beyond a 32-bit id: no such organisation
        ("/orgs/2147483648/costs", 404),
        ("/orgs/99999999999999999999/balance.csv", 404),
    ],
)
def test_dashboard_odd_input(admin_client, path, status):
    assert admin_client.get(path).status_code == status


def test_dashboard_snapshot_parameter_must_be_plain_digits(admin_client, org):
    response = admin_client.get(f"/orgs/{org.id}/costs.csv?month=2026-01&snapshot=%C2%B2")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "client_credentials", "client_id": "x\x00", "client_secret": "y"},
        {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y\x00"},
    ],
)
def test_token_endpoint_refuses_nul_in_form_fields(client, data):
    response = client.post("/api/v1/oauth/token", data=data)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_token_endpoint_refuses_nul_in_basic_credentials(client):
    credentials = base64.b64encode(b"client%00:secret").decode()
    response = client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
