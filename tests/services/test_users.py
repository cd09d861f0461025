"""Users, the service: one account per email, invitations with a one-time password, every change audited
(actor `cli` outside a request), and never without an active admin."""

from __future__ import annotations

import pytest

from tests.admin.helpers import events
from tests.factories import make_org, make_user
from webapp.services.errors import ValidationError
from webapp.services.users import (
    LAST_ADMIN,
    change_assignments,
    change_role,
    create_user,
    invite_user,
    reset_password,
    set_active,
)


def test_an_invited_user_must_replace_the_generated_password(app):
    new = invite_user(email=" New@Example.com ", role="manager")
    assert new.user.email == "new@example.com" and new.user.must_change_password
    assert new.user.check_password(new.password)
    with pytest.raises(ValidationError, match="already exists"):
        create_user(email="new@example.com", role="admin", password="another long password")


def test_every_change_is_audited_as_the_cli_outside_a_request(app):
    org, _other_admin = make_org(), make_user(role="admin")
    user = create_user(email="ops@example.com", role="manager", password="a long enough password")
    assert change_role(user, "admin") and not change_role(user, "admin")
    assert change_assignments(user, {org.id}) == {"added": [org.id], "removed": []}
    assert set_active(user, False)
    password = reset_password(user)
    actions = [(e.action, e.actor) for e in events()]
    assert actions == [
        ("user_created", "cli"),
        ("user_role_changed", "cli"),
        ("assignments_changed", "cli"),
        ("user_deactivated", "cli"),
        ("password_reset", "cli"),
    ]
    assert password not in str([e.details for e in events()])


def test_the_last_active_admin_stays(app):
    only = make_user(role="admin")
    with pytest.raises(ValidationError, match=LAST_ADMIN):
        change_role(only, "manager")
    with pytest.raises(ValidationError, match=LAST_ADMIN):
        set_active(only, False)
