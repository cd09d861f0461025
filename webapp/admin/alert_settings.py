"""An organisation's alert overrides on its admin page (SPEC §10): mute rules (never "overdrawn") and other
runway days ("14, 7, 2"); the service (webapp.alerts.settings) validates and audits."""

from __future__ import annotations

from flask import flash, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.admin.blueprint import bp
from webapp.admin.forms import commit_or_field_error
from webapp.alerts.settings import mutable_rules, parse_runway_days, set_overrides
from webapp.extensions import db
from webapp.models import AlertOverride, Organization
from webapp.web.htmx import redirect_after_post


class AlertSettingsForm(FlaskForm):
    # The service checks the names (a clear message for junk), not WTForms.
    muted = SelectMultipleField(
        "Muted alerts", validate_choice=False, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    runway_days = StringField("Runway days (warning, high, critical)", validators=[Length(max=40)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.muted.choices = [SelectChoice(rule, label) for rule, label in mutable_rules()]


def alert_settings_form(org: Organization) -> AlertSettingsForm:
    """The form filled with the stored overrides (blank runway days: the configured default)."""
    stored = db.session.get(AlertOverride, org.id)
    days = stored.runway_days if stored is not None else None
    muted = stored.muted if stored is not None else []
    return AlertSettingsForm(formdata=None, data={"muted": muted or [], "runway_days": ", ".join(map(str, days or []))})


@bp.post("/organizations/<int:org_id>/alerts")
def organization_alert_settings(org_id: int) -> ResponseReturnValue:
    from webapp.admin.organizations import organization_or_404, render_organization

    org = organization_or_404(org_id)
    form = AlertSettingsForm()
    if form.validate_on_submit():

        def write() -> bool:
            days = parse_runway_days(form.runway_days.data)
            return set_overrides(org.id, muted=form.muted.data or [], runway_days=days, actor=None)

        changed = commit_or_field_error(form, write)
        if changed is not None:
            flash("Alert settings saved." if changed else "Nothing to change.")
            return redirect_after_post(url_for("admin.organization_page", org_id=org.id) + "#alert-settings")
    return render_organization(org_id, alerts_form=form, status=422)
