"""Issue 13 §7: revoking an API client and deactivating a user ask first, on a page of their own (works without
JS, no inline script); only the POST from it acts, Cancel changes nothing."""

from __future__ import annotations

import re

from tests.admin.helpers import admin, events, post
from tests.factories import make_org, make_user
from webapp.extensions import db
from webapp.models import ApiClient, User
from webapp.services.api_clients import create_client


def test_revoke_asks_first_and_only_the_confirmation_revokes(app, client):
    org = make_org(name="Acme Tenant")
    created = create_client(organization_id=org.id, name="ERP sync")
    db.session.commit()
    client_id = created.client.client_id
    admin(client)
    listing = client.get("/admin/clients").get_data(as_text=True)
    assert f'href="/admin/clients/{client_id}/revoke" class="button secondary danger"' in listing
    assert '/revoke" class="inline-form"' not in listing  # no one-click revoke form any more
    confirm = client.get(f"/admin/clients/{client_id}/revoke")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Revoke “ERP sync” of Acme Tenant?" in page
    assert "<script>" not in page and 'href="/admin/clients">Cancel</a>' in page
    form = page.split('id="confirm-revoke-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form and "Revoke ERP sync</button>" in form
    assert db.session.get(ApiClient, created.client.id).revoked_at is None  # asking changed nothing
    assert events("api_client_revoked") == []
    done = post(client, f"/admin/clients/{client_id}/revoke", page=f"/admin/clients/{client_id}/revoke")
    assert done.status_code == 303 and done.headers["Location"] == "/admin/clients"
    assert db.session.get(ApiClient, created.client.id).revoked_at is not None
    assert len(events("api_client_revoked")) == 1
    again = client.get(f"/admin/clients/{client_id}/revoke").get_data(as_text=True)
    assert "is already revoked" in again and "confirm-revoke-form" not in again
    assert client.get("/admin/clients/adc_unknown/revoke").status_code == 404


def test_deactivate_asks_first_and_only_the_confirmation_deactivates(app, client):
    manager = make_user(email="leaving@example.com")
    db.session.commit()
    admin(client)
    page = client.get(f"/admin/users/{manager.id}").get_data(as_text=True)
    assert f'href="/admin/users/{manager.id}/deactivate"' in page
    assert not re.search(r'name="active" value="0"', page)  # the user page itself cannot deactivate
    confirm = client.get(f"/admin/users/{manager.id}/deactivate").get_data(as_text=True)
    assert "Deactivate leaving@example.com?" in confirm and f'href="/admin/users/{manager.id}">Cancel</a>' in confirm
    assert db.session.get(User, manager.id).active
    form = confirm.split('id="confirm-deactivate-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="active" value="0"' in form and 'name="csrf_token"' in form
    done = post(
        client, f"/admin/users/{manager.id}/active", {"active": "0"}, page=f"/admin/users/{manager.id}/deactivate"
    )
    assert done.status_code == 303 and not db.session.get(User, manager.id).active
    assert "is already inactive" in client.get(f"/admin/users/{manager.id}/deactivate").get_data(as_text=True)
    assert client.get("/admin/users/99999999/deactivate").status_code == 404


def test_the_last_admin_refusal_is_shown_after_confirming(app, client):
    me = admin(client)
    refused = post(client, f"/admin/users/{me.id}/active", {"active": "0"}, page=f"/admin/users/{me.id}/deactivate")
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert db.session.get(User, me.id).active
