"""Issue 6 §5: the audit log records sign-ins, failures, changes, collect-now and CSV exports (dashboard and API)
with who, when, what and from where, never a secret; admins page through and filter it; nobody can edit it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from tests.admin.helpers import admin, events, post
from tests.dashboard_data import signed_in
from tests.factories import PASSWORD, make_balance, make_org, make_user
from tests.helpers import login
from webapp.database import AppendOnlyViolation
from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.services import audit
from webapp.services.api_clients import create_client


def test_sign_ins_and_failed_sign_ins_are_recorded_without_the_password(app, client):
    user = make_user(email="someone@example.com")
    db.session.commit()
    assert login(client, "someone@example.com", "wrong password 123").status_code == 200
    assert login(client, "nobody@example.com", "another wrong one").status_code == 200
    assert login(client, "someone@example.com").status_code == 302
    failed = events("sign_in_failed")
    assert [(e.target, e.actor, e.details) for e in failed] == [
        ("someone@example.com", "anonymous", {"known_user": True}),
        ("nobody@example.com", "anonymous", {"known_user": False}),
    ]
    (signed,) = events("sign_in")
    assert (signed.actor, signed.actor_user_id, signed.remote_addr) == (user.email, user.id, "127.0.0.1")
    assert signed.at.tzinfo is not None
    every = " ".join(f"{e.target} {e.details}" for e in events())
    assert "wrong password" not in every and PASSWORD not in every


def test_dashboard_csv_exports_are_recorded(app, client):
    org = make_org()
    make_balance(org, "10.00")
    user = signed_in(client, organizations=[org])
    assert client.get("/portfolio.csv").status_code == 200
    assert client.get(f"/orgs/{org.id}/balance.csv").status_code == 200
    exports = events("csv_export")
    assert [e.details["path"] for e in exports] == ["/portfolio.csv", f"/orgs/{org.id}/balance.csv"]
    assert {e.actor for e in exports} == {user.email}


def test_api_csv_exports_are_recorded_with_the_client_and_never_the_token(app, client):
    org = make_org()
    make_balance(org, "10.00")
    new = create_client(organization_id=org.id, name="Exporter")
    db.session.commit()
    grant = {"grant_type": "client_credentials", "client_id": new.client.client_id, "client_secret": new.secret}
    token = client.post("/api/v1/oauth/token", data=grant).get_json()["access_token"]
    response = client.get("/api/v1/balance/history.csv", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    (export,) = events("csv_export")
    assert export.actor == f"api:{new.client.client_id}" and export.details == {"path": "/api/v1/balance/history.csv"}
    assert token not in str(export.details) and new.secret not in str(export.details)


def test_details_that_look_like_secrets_are_refused():
    with pytest.raises(ValueError, match="must not carry"):
        audit.record("api_client_created", "x", {"client_secret": "s"})
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record("made_up", "x")


def test_admins_page_through_and_filter(app, client):
    me = admin(client)
    for n in range(55):
        db.session.add(AuditEvent(actor="robot@example.com", action="organization_changed", target=f"org {n}"))
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "page 1 of 2" in page and "Older →" in page
    second = client.get("/admin/audit?page=2", headers={"HX-Request": "true"})
    assert second.get_data(as_text=True).lstrip().startswith('<div id="audit-table"')
    assert "HX-Request" in second.headers["Vary"]
    signs = client.get("/admin/audit?action=sign_in").get_data(as_text=True)
    assert "1 event ·" in signs and me.email in signs
    assert "1 event ·" in client.get("/admin/audit?q=org+42").get_data(as_text=True)
    assert "55 events" in client.get("/admin/audit?actor=ROBOT").get_data(as_text=True)
    assert "0 events" in client.get("/admin/audit?q=100%25").get_data(as_text=True)  # % is literal
    assert client.get("/admin/audit?action=bogus").status_code == 400
    assert client.get("/admin/audit?page=0").status_code == 400


def test_admin_changes_are_recorded_with_who_and_where(app, client):
    me = admin(client)
    post(client, "/admin/organizations", {"name": "Audited", "provider_ref": "aud-1"})
    (event,) = events("organization_created")
    assert (event.actor, event.actor_user_id, event.remote_addr) == (me.email, me.id, "127.0.0.1")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "organization created" in page and "Audited" in page


def test_nobody_can_edit_the_audit_log(app, client):
    audit.record("collect_now", "x")
    db.session.flush()
    (event,) = events()
    event.target = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(update(AuditEvent).values(target="y"))
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(delete(AuditEvent))
    methods = {m for rule in app.url_map.iter_rules() if rule.endpoint == "admin.audit_log_page" for m in rule.methods}
    assert methods == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.postgresql
@pytest.mark.parametrize("statement", ["UPDATE audit_events SET target = 'x'", "DELETE FROM audit_events",
                                       "TRUNCATE audit_events"])  # fmt: skip
def test_postgresql_refuses_changes_to_the_audit_log(app, backend, statement):
    if backend != "postgresql":
        pytest.skip("triggers exist on PostgreSQL only")
    audit.record("collect_now", "x")
    db.session.flush()
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    nested.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == 1


def test_details_read_as_text_not_python(app, client):
    """Issue 13 §7: key: value lines, yes/no, — for nothing; never None, True, {…} or […]."""
    admin(client)
    details = {
        "active": True, "low_balance_threshold": None, "added": [3, 4], "removed": [],
        "changes": {"name": "Old → New", "active": False}, "job_ids": ["collect_x"],
    }  # fmt: skip
    db.session.add(
        AuditEvent(actor="robot@example.com", action="organization_changed", target="org 7", details=details)
    )
    db.session.commit()
    page = client.get("/admin/audit?q=org+7").get_data(as_text=True)
    cell = page.split('class="small details">', 1)[1].split("</td>", 1)[0]
    assert re.findall(r"<li>([^<]*)</li>", cell) == [
        "active: yes", "added: 3, 4", "changes: active: no; name: Old → New", "low balance threshold: —", "removed: —",
    ]  # fmt: skip
    for python in ("None", "True", "False", "{", "[", "job"):
        assert python not in cell
