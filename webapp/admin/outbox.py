"""The mail outbox: every message the application stored (kept locally without SMTP_URL, or queued/sent)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from webapp.admin.blueprint import bp
from webapp.extensions import db
from webapp.models import MailMessage
from webapp.queries.webhooks import outbox
from webapp.web.notfound import found_or_404


@bp.get("/outbox")
def outbox_page() -> ResponseReturnValue:
    return render_template("admin/outbox.html", messages=outbox())


@bp.get("/outbox/<int:mail_id>")
def outbox_message(mail_id: int) -> ResponseReturnValue:
    message = found_or_404(db.session.get(MailMessage, mail_id), "There is no message with that number.")
    return render_template("admin/outbox_message.html", message=message)
