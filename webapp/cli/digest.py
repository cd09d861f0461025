"""`flask digest send`: the daily alert digests due now (SPEC §10)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp.cli.common import database_errors_as_messages, emit
from webapp.extensions import db
from webapp.models import User
from webapp.models.types import utcnow

digest_cli = AppGroup("digest", help="Send the daily alert digests (08:00 in each user's time zone).")


@digest_cli.command(
    "send",
    help="Send every digest that is due now (at most one per user and local day, whatever the retries), "
    "or with --user only that user's digest now.",
)
@click.option(
    "--user",
    "email",
    metavar="EMAIL",
    default=None,
    help="Only this user: their digest due now (today's after 08:00 local, else yesterday's).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@database_errors_as_messages
def digest_send(email: str | None, as_json: bool) -> None:
    from webapp.alerts.digest_run import send_digest, send_due_digests
    from webapp.alerts.recipients import digest_recipients

    now = utcnow()
    if email is None:
        results = send_due_digests(now)
    else:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with email {email!r}.")
        if user.id not in {u.id for u in digest_recipients()}:
            raise click.ClickException(
                f"{user.email} gets no digest: inactive, alert mail off, or an admin who has not opted in."
            )
        results = [send_digest(user, now)]
        db.session.commit()
    rows = [
        {"user_id": r.user_id, "email": r.email, "day": r.day.isoformat(), "key": r.key, "sent_now": r.new}
        for r in results
    ]
    lines = [f"{r['email']}: digest for {r['day']} {'queued' if r['sent_now'] else 'already sent'}" for r in rows]
    summary = f"{sum(r.new for r in results)} digest(s) queued, {sum(not r.new for r in results)} already sent."
    emit(as_json, {"digests": rows}, "\n".join([*lines, summary]))
