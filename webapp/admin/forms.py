"""Admin forms: Flask-WTF for the CSRF token and parsing; the services own validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from webapp.extensions import db
from webapp.models.user import ROLES
from webapp.routing import MAX_ID
from webapp.services import errors as service_errors

T = TypeVar("T")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class OrganizationForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=200)])
    provider_ref = StringField("Provider reference", validators=[Length(max=100)])
    # What a person types is trimmed (a pasted " 500.00 "); the service then takes only a plain ASCII decimal.
    low_balance_threshold = StringField(
        "Low-balance threshold", validators=[Optional(), Length(max=30)], filters=[_strip]
    )
    active = BooleanField("Active (collected)", default=True)


class UserForm(FlaskForm):
    email = StringField("Email", validators=[Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(role, role) for role in ROLES], default="manager")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role, role) for role in ROLES])


def ids_in_range(form: FlaskForm, field: Field) -> None:
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(value is not None and not 0 < value <= MAX_ID for value in values):
        raise ValidationError("No such organisation.")


class AssignmentsForm(FlaskForm):
    organizations = SelectMultipleField("Organisations", coerce=int, validate_choice=False, validators=[ids_in_range])


class ActiveForm(FlaskForm):
    active = HiddenField()


class ClientForm(FlaskForm):
    organization_id = SelectField("Organisation", coerce=int, validate_choice=False, validators=[ids_in_range])
    name = StringField("Client name", validators=[Length(max=200)])


class ActionForm(FlaskForm):
    """A bare POST (revoke, collect now): only the CSRF token."""

    organization_id = HiddenField()


def field_error(form: FlaskForm, field: str, message: str) -> None:
    """Attach a service's ValidationError to the matching field (or to the form)."""
    target = form._fields.get(field)
    if target is None:
        form.form_errors.append(message)
    else:
        target.errors = [*target.errors, message]


def commit_or_field_error(
    form: FlaskForm, write: Callable[[], T], *, field_names: Mapping[str, str] | None = None
) -> T | None:
    """Run a service call and commit it. A refusal (the service's ValidationError) is rolled back and
    shown on the form's matching field (renamed by field_names), and None comes back."""
    try:
        result = write()
        db.session.commit()
    except service_errors.ValidationError as error:
        db.session.rollback()
        field_error(form, (field_names or {}).get(error.field, error.field), error.message)
        return None
    return result
