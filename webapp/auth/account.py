"""The account page: the time zone the dashboard shows timestamps in (SPEC §11), and the way to the password change."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

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
    status = 422 if form.errors else 200
    now = local_time(utcnow(), tz=zone(user.time_zone))
    return render_template("pages/account.html", form=form, now=now), status
