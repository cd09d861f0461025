"""Webhook endpoints of an organisation: create (secret shown once), list, disable, send a test event,
the delivery log with every attempt, resend."""

from __future__ import annotations

from flask import flash, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import Length

from webapp.admin.blueprint import bp
from webapp.admin.forms import ActionForm, commit_or_field_error
from webapp.extensions import db
from webapp.models import Organization, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webapp.notifications.endpoints import NewEndpoint, create_endpoint, disable_endpoint, resend_delivery
from webapp.notifications.endpoints import send_test_event as queue_test_event
from webapp.notifications.events import RULES
from webapp.queries.webhooks import delivery_log, endpoints_of
from webapp.services.errors import ValidationError
from webapp.web.htmx import redirect_after_post
from webapp.web.notfound import found_or_404


class EndpointForm(FlaskForm):
    url = StringField("Endpoint URL", validators=[Length(max=2000)])


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return found_or_404(db.session.get(WebhookEndpoint, endpoint_id), "There is no webhook endpoint with that number.")


@bp.route("/organizations/<int:org_id>/webhooks", methods=["GET", "POST"])
def webhooks_page(org_id: int) -> ResponseReturnValue:
    org = found_or_404(db.session.get(Organization, org_id), "There is no organisation with that number.")
    form = EndpointForm()
    created: NewEndpoint | None = None
    if form.validate_on_submit():
        created = commit_or_field_error(form, lambda: create_endpoint(organization_id=org.id, url=form.url.data))
        if created is not None:
            form.url.data = ""
    page = render_template(
        "admin/webhooks.html", org=org, form=form, created=created, endpoints=endpoints_of(org.id), rules=RULES
    )
    # The page may carry a secret once: keep it out of every cache.
    return page, 422 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.get("/webhooks/<int:endpoint_id>")
def webhook_page(endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint_or_404(endpoint_id)
    org = db.session.get(Organization, endpoint.organization_id)
    log = delivery_log(endpoint.id)
    return render_template("admin/webhook.html", endpoint=endpoint, org=org, log=log, action_form=ActionForm())


@bp.post("/webhooks/<int:endpoint_id>/disable")
def webhook_disable(endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint_or_404(endpoint_id)
    if ActionForm().validate_on_submit():
        _, changed = disable_endpoint(endpoint.id)
        db.session.commit()
        flash("Endpoint disabled: nothing more is sent to it." if changed else "Already disabled.")
    return redirect_after_post(url_for("admin.webhook_page", endpoint_id=endpoint.id))


def _outcome(delivery_id: int) -> str:
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    last = db.session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id).order_by(WebhookAttempt.id.desc())
    ).first()
    if delivery is None or last is None:
        return "queued; see the delivery log."
    if delivery.status == "delivered":
        return f"delivered (HTTP {last.status_code})."
    return f"not delivered: {last.error}. It is retried on the schedule."


def _send(endpoint: WebhookEndpoint, action, what: str) -> None:
    try:
        delivery_id = action()
    except ValidationError as error:
        db.session.rollback()
        flash(error.message)
        return
    db.session.commit()  # delivers it (without Redis) or enqueues it
    flash(f"{what} {_outcome(delivery_id)}")


@bp.post("/webhooks/<int:endpoint_id>/test")
def webhook_test(endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint_or_404(endpoint_id)
    if ActionForm().validate_on_submit():

        def queue() -> int:
            event = queue_test_event(endpoint.id)
            return db.session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.event_id == event.id)).one()

        _send(endpoint, queue, "Test event:")
    return redirect_after_post(url_for("admin.webhook_page", endpoint_id=endpoint.id))


@bp.post("/webhooks/deliveries/<int:delivery_id>/resend")
def webhook_resend(delivery_id: int) -> ResponseReturnValue:
    delivery = found_or_404(db.session.get(WebhookDelivery, delivery_id), "There is no delivery with that number.")
    endpoint = _endpoint_or_404(delivery.endpoint_id)
    if ActionForm().validate_on_submit():
        _send(endpoint, lambda: resend_delivery(delivery_id).id, f"Resent {delivery.event_id}:")
    return redirect_after_post(url_for("admin.webhook_page", endpoint_id=endpoint.id))
