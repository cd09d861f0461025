"""API clients, the service: the secret once and hashed, one active client of a name per organisation,
revocation idempotent, every change audited (actor `cli` outside a request)."""

from __future__ import annotations

import pytest

from tests.admin.helpers import events
from tests.factories import make_org
from webapp.queries.api_clients import list_clients
from webapp.services.api_clients import authenticate_client, create_client, revoke_client
from webapp.services.errors import ValidationError


def test_secret_is_returned_once_and_stored_only_as_a_hash(app):
    org = make_org()
    new = create_client(organization_id=org.id, name="ERP")
    assert new.client.client_id.startswith("adc_") and len(new.secret) >= 40
    assert new.secret not in new.client.secret_hash and new.client.secret_hash.startswith("sha256$")
    assert authenticate_client(new.client.client_id, new.secret) is new.client
    assert authenticate_client(new.client.client_id, new.secret + "x") is None
    assert authenticate_client("adc_unknown", new.secret) is None


def test_list_and_revoke(app):
    org, other = make_org(), make_org()
    first = create_client(organization_id=org.id, name="one")
    create_client(organization_id=other.id, name="two")
    assert [c.name for c in list_clients(org.id)] == ["one"]
    assert len(list_clients()) >= 2
    revoked = revoke_client(first.client.client_id)
    assert revoked.revoked_at is not None
    assert revoke_client(first.client.client_id).revoked_at == revoked.revoked_at  # idempotent
    assert authenticate_client(first.client.client_id, first.secret) is None


def test_bad_input_is_a_validation_error(app):
    with pytest.raises(ValidationError, match="No organisation with id 999999"):
        create_client(organization_id=999999, name="x")
    with pytest.raises(ValidationError, match="name"):
        create_client(organization_id=make_org().id, name="  ")
    with pytest.raises(ValidationError, match="No API client"):
        revoke_client("adc_nope")


def test_a_second_active_client_of_the_same_name_is_refused_until_the_first_is_revoked(app):
    org, other = make_org(), make_org()
    first = create_client(organization_id=org.id, name="ERP")
    with pytest.raises(ValidationError, match=r"This organisation already has an active client named 'ERP'\."):
        create_client(organization_id=org.id, name=" ERP ")
    assert create_client(organization_id=other.id, name="ERP").client.organization_id == other.id
    revoke_client(first.client.client_id)
    assert create_client(organization_id=org.id, name="ERP").client.revoked_at is None


def test_creating_and_revoking_are_audited_as_the_cli_outside_a_request(app):
    org = make_org()
    new = create_client(organization_id=org.id, name="ERP")
    revoke_client(new.client.client_id)
    revoke_client(new.client.client_id)  # a second revoke changes and records nothing
    created, revoked = events("api_client_created"), events("api_client_revoked")
    assert [(e.actor, e.actor_user_id, e.target) for e in created + revoked] == [
        ("cli", None, f"api client {new.client.client_id}"),
        ("cli", None, f"api client {new.client.client_id}"),
    ]
    assert created[0].details == {"organization_id": org.id, "name": "ERP"}
    assert new.secret not in str(created[0].details)
