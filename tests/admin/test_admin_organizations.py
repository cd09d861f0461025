"""Issue 6 §1: organisations are created and edited (name, provider reference, threshold, active), with errors
next to the field, duplicates refused with nothing changed, a double submit harmless, and no delete."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.admin.helpers import admin, events, post
from tests.factories import make_org
from webapp.collection.rules import active_organization_ids
from webapp.extensions import db
from webapp.models import Organization

X = {"name": "X", "provider_ref": "x-1"}
NEW = {"name": "Acme Ltd", "provider_ref": "acme-001", "low_balance_threshold": "250.50", "active": "y"}


def test_create_an_organisation_then_a_double_submit_is_refused(app, client):
    admin(client)
    response = post(client, "/admin/organizations", NEW)
    assert response.status_code == 303
    org = db.session.scalar(db.select(Organization).where(Organization.provider_account_ref == "acme-001"))
    assert response.headers["Location"] == f"/admin/organizations/{org.id}"
    assert (org.name, org.low_balance_threshold, org.active) == ("Acme Ltd", Decimal("250.5"), True)
    assert "Organisation “Acme Ltd” created." in client.get(response.headers["Location"]).get_data(as_text=True)
    again = post(client, "/admin/organizations", NEW)
    assert again.status_code == 422
    assert "already belongs to organisation" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Organization)) == 1
    (event,) = events("organization_created")
    assert event.target == f"organization {org.id} (Acme Ltd)" and event.details["provider_account_ref"] == "acme-001"


def test_validation_errors_appear_next_to_the_field(app, client):
    admin(client)
    response = post(client, "/admin/organizations", {"name": "", "provider_ref": "ok-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error">Name must be 1–200 characters.' in page
    assert 'aria-invalid="true"' in page
    bad_ref = post(client, "/admin/organizations", {"name": "X", "provider_ref": "has space"}).get_data(as_text=True)
    assert 'id="provider_ref-error">Provider reference must be' in bad_ref
    bad_threshold = post(
        client, "/admin/organizations", {"name": "X", "provider_ref": "x-1", "low_balance_threshold": "-5"}
    )
    assert 'id="low_balance_threshold-error">Low-balance threshold cannot be negative.' in bad_threshold.get_data(
        as_text=True
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Organization)) == 0
    assert events("organization_created") == []


def test_edit_rename_reference_threshold_and_deactivate(app, client):
    org = make_org(name="Old", provider_account_ref="old-1")
    admin(client)
    data = {"name": "New name", "provider_ref": "new-1", "low_balance_threshold": "10"}  # no "active": unchecked
    response = post(client, f"/admin/organizations/{org.id}", data)
    assert response.status_code == 303
    db.session.refresh(org)
    assert (org.name, org.provider_account_ref, org.low_balance_threshold, org.active) == (
        "New name",
        "new-1",
        Decimal(10),
        False,
    )
    assert org.id not in active_organization_ids()  # inactive ones are not collected
    (event,) = events("organization_changed")
    assert event.details["changes"]["name"] == ["Old", "New name"]
    assert event.details["changes"]["active"] == ["True", "False"]
    listing = client.get("/admin/organizations").get_data(as_text=True)
    assert '<tr class="inactive">' in listing and "inactive</span>" in listing
    # The same submit again changes and records nothing.
    assert post(client, f"/admin/organizations/{org.id}", data).status_code == 303
    assert len(events("organization_changed")) == 1


def test_a_duplicate_provider_reference_is_refused_and_nothing_changes(app, client):
    taken = make_org(provider_account_ref="taken-1")
    org = make_org(name="Mine", provider_account_ref="mine-1")
    admin(client)
    response = post(client, f"/admin/organizations/{org.id}", {"name": "Renamed too", "provider_ref": "taken-1"})
    assert response.status_code == 422
    assert f"Provider reference &#39;taken-1&#39; already belongs to organisation {taken.id}." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert (org.name, org.provider_account_ref) == ("Mine", "mine-1")
    assert events("organization_changed") == []


def test_there_is_no_way_to_delete_an_organisation(app, client):
    org = make_org()
    admin(client)
    methods = {m for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.") for m in rule.methods}
    assert "DELETE" not in methods
    assert client.delete(f"/admin/organizations/{org.id}").status_code in (400, 405)
    assert "delete" not in client.get(f"/admin/organizations/{org.id}").get_data(as_text=True).lower().replace(
        "cannot be deleted", ""
    )


def test_unknown_organisation_is_404(app, client):
    admin(client)
    assert client.get("/admin/organizations/999999").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"name": "N\x00ul", "provider_ref": "nul-1"},
        {"name": "Huge", "provider_ref": "huge-1", "low_balance_threshold": "1e999999999"},
    ],
)
def test_odd_form_input_is_refused_next_to_the_field(app, client, data):
    make_org()
    admin(client)
    response = post(client, "/admin/organizations", data)
    assert response.status_code == 422


@pytest.mark.parametrize("threshold", ["1E+30", "1e3", "1_000", "١٢", "１２", "+5", "12.", "0x10", "12345678901"])
def test_the_threshold_must_be_a_plain_ascii_decimal(app, client, threshold):
    admin(client)
    response = post(
        client, "/admin/organizations", {"name": "X", "provider_ref": "x-1", "low_balance_threshold": threshold}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="low_balance_threshold-error">Low-balance threshold: amount must be a plain decimal like 12.50' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Organization)) == 0


def test_spaces_typed_around_the_threshold_are_trimmed_before_the_strict_check(app, client):
    admin(client)
    response = post(
        client, "/admin/organizations", {"name": "X", "provider_ref": "x-1", "low_balance_threshold": " 500.00\t"}
    )
    assert response.status_code == 303
    org = db.session.scalar(db.select(Organization).where(Organization.provider_account_ref == "x-1"))
    assert org.low_balance_threshold == Decimal("500")
    edit = post(
        client, f"/admin/organizations/{org.id}", {"name": "X", "provider_ref": "x-1", "low_balance_threshold": "1e3"}
    )
    assert edit.status_code == 422 and "plain decimal" in edit.get_data(as_text=True)
    db.session.refresh(org)
    assert org.low_balance_threshold == Decimal("500")


def test_the_list_shows_thresholds_with_the_one_money_formatter(app, client):
    admin(client)
    make_org(name="Big", low_balance_threshold=Decimal("1234.5"))
    make_org(name="Tiny", low_balance_threshold=Decimal("0.0042"))
    make_org(name="None set", low_balance_threshold=None)
    page = client.get("/admin/organizations").get_data(as_text=True)
    cells = re.findall(r'<td class="num">([^<]*)</td>', page)
    assert sorted(cells) == sorted(["1,234.50", "0.0042", "—"])
