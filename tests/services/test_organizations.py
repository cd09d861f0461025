"""Organisations, the service: names, unique provider references and a threshold that is a plain ASCII decimal
(whitespace refused here: only the admin form trims what a person typed); creates and edits audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.admin.helpers import events
from tests.factories import make_org
from webapp.services.errors import ValidationError
from webapp.services.organizations import clean_threshold, create_organization, update_organization


@pytest.mark.parametrize("raw", ["1E+30", "1e3", "1_000", "١٢", " 12", "12 ", "\t", "12.", "+5", "NaN", "Infinity"])
def test_a_threshold_must_be_a_plain_ascii_decimal(raw):
    with pytest.raises(ValidationError, match="must be a plain decimal") as refused:
        clean_threshold(raw)
    assert refused.value.field == "low_balance_threshold"


@pytest.mark.parametrize(("raw", "value"), [(None, None), ("", None), ("500.00", Decimal("500")), ("0", Decimal(0))])
def test_no_threshold_or_a_plain_decimal_is_accepted(raw, value):
    assert clean_threshold(raw) == value


def test_a_negative_or_unstorable_threshold_is_refused():
    with pytest.raises(ValidationError, match="cannot be negative"):
        clean_threshold("-5")
    with pytest.raises(ValidationError, match="out of range"):
        clean_threshold(Decimal("1e30"))


def test_create_and_edit_are_audited_with_what_changed(app):
    org = create_organization(name="Acme", provider_ref="acme-1", low_balance_threshold="10")
    assert update_organization(org, name="Acme", provider_ref="acme-1", threshold="10.0", active=True) == {}
    changes = update_organization(org, name="Acme Ltd", provider_ref="acme-1", threshold="", active=False)
    assert changes == {"name": ["Acme", "Acme Ltd"], "low_balance_threshold": ["10", None], "active": ["True", "False"]}
    (created,), (changed,) = events("organization_created"), events("organization_changed")
    assert created.actor == changed.actor == "cli" and changed.details == {"changes": changes}


def test_a_provider_reference_belongs_to_one_organisation(app):
    taken = make_org(provider_account_ref="taken-1")
    with pytest.raises(ValidationError, match=f"already belongs to organisation {taken.id}"):
        create_organization(name="Other", provider_ref="taken-1")
    other = create_organization(name="Other", provider_ref="other-1")
    with pytest.raises(ValidationError, match=f"already belongs to organisation {taken.id}"):
        update_organization(other, name="Other", provider_ref="taken-1", threshold=None, active=True)
