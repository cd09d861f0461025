"""The account page: the time zone the dashboard shows timestamps in (SPEC §11), how the user wants alert mail
(SPEC §10; admins opt in), and the way to the password change."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from webapp.alerts.recipients import MODES, preference_of, set_preference
from webapp.auth.blueprint import bp
from webapp.domain.zones import grouped_zones, zone
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.services.errors import ValidationError
from webapp.services.users import set_time_zone
from webapp.web.timezones import local_time


class TimeZoneForm(FlaskForm):
    # The service checks the name (a clear message for a name the list does not hold), not WTForms.
    time_zone = SelectField("Time zone", validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = {
            group: [(name, name.replace("_", " ")) for name in names] for group, names in grouped_zones()
        }


class AlertMailForm(FlaskForm):
    # The service checks the choice (one clear message for junk), not WTForms.
    email = RadioField(
        "Alert mail", choices=[SelectChoice(value, label) for value, label in MODES.items()], validate_choice=False
    )
    admin_opt_in = BooleanField("Send me the alert mail of every organisation (admins only)")


def _mail_form(user) -> AlertMailForm:
    form = AlertMailForm(formdata=None)
    stored = preference_of(user)
    form.email.data, form.admin_opt_in.data = stored.email, bool(stored.admin_opt_in)
    return form


def _page(form: TimeZoneForm, mail_form: AlertMailForm):
    user = current_user._get_current_object()
    status = 422 if form.errors or mail_form.errors else 200
    now = local_time(utcnow(), tz=zone(user.time_zone))
    return render_template("pages/account.html", form=form, mail_form=mail_form, now=now), status


@bp.route("/account/alert-mail", methods=["POST"])
@login_required
def account_alert_mail():
    user = current_user._get_current_object()
    mail_form = AlertMailForm()
    if mail_form.validate():
        try:
            changed = set_preference(user, mail_form.email.data or "", admin_opt_in=bool(mail_form.admin_opt_in.data))
        except ValidationError as error:
            mail_form.email.errors = [*mail_form.email.errors, error.message]
        else:
            db.session.commit()
            flash("Alert mail preference saved." if changed else "Nothing to change.")
            return redirect(url_for("auth.account"), code=303)
    form = TimeZoneForm(formdata=None)
    form.time_zone.data = user.time_zone
    return _page(form, mail_form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = TimeZoneForm()
    if not form.is_submitted():
        form.time_zone.data = user.time_zone  # not a default: a POST without the field must not keep the old zone
    elif form.validate():
        try:
            changed = set_time_zone(user, form.time_zone.data)
        except ValidationError as error:
            form.time_zone.errors = [*form.time_zone.errors, error.message]
        else:
            db.session.commit()
            flash(f"Times are now shown in {user.time_zone}." if changed else "Nothing to change.")
            return redirect(url_for("auth.account"), code=303)
    return _page(form, _mail_form(user))
