"""Benchmark: one daily digest run for 100 managers x 1,000 organisations (issue 15 §8). Not a test:
docs/performance.md.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.digest_bench

On a scratch PostgreSQL database (created and dropped): O organisations, M managers each assigned to a
tenth of them (every organisation has M/10 managers), a third of the organisations with an open alert
(critical, high or warning; some acknowledged) and, per organisation, two alert events in the digest's
window (triggered and resolved). The run is `send_due_digests` as the scheduler calls it: for every
manager, compose the digest (events in the window, open alerts, of their organisations only), render
text and HTML and store the message (outbox: no SMTP, so the figure is the composition, not a mail
server's speed). Prints the total time, per digest, and checks a second run sends nothing.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import insert

from bench.cycle import scratch_database
from webapp import create_app
from webapp.alerts.digest_run import send_due_digests
from webapp.extensions import db
from webapp.models import AlertEvent, AlertState, MailMessage, Organization, User, user_organizations

RULES = ("low_balance", "runway", "stale", "overdrawn")


def seed(orgs: int, managers: int, now: datetime) -> None:
    db.session.execute(
        insert(Organization),
        [{"name": f"Bench <{n}> & Co", "provider_account_ref": f"bench-{n}", "active": True} for n in range(orgs)],
    )
    db.session.execute(
        insert(User),
        [
            {"email": f"manager{m}@example.com", "role": "manager", "active": True, "password_hash": "x"}
            for m in range(managers)
        ],
    )
    org_ids = list(db.session.scalars(db.select(Organization.id).order_by(Organization.id)))
    user_ids = list(db.session.scalars(db.select(User.id).order_by(User.id)))
    pairs = [
        {"user_id": user_id, "organization_id": org_id}
        for m, user_id in enumerate(user_ids)
        for n, org_id in enumerate(org_ids)
        if n % 10 == m % 10
    ]
    db.session.execute(insert(user_organizations), pairs)
    figures = {"balance": "12.50", "currency": "EUR", "runway_days": "5.0"}
    yesterday = now - timedelta(hours=12)
    states, events = [], []
    for n, org_id in enumerate(org_ids):
        rule = RULES[n % len(RULES)]
        if n % 3 == 0:
            level = 3 - (n // 3) % 3
            states.append(
                {
                    "organization_id": org_id,
                    "rule": rule,
                    "level": level,
                    "episode": 1,
                    "since": yesterday,
                    "changed_at": yesterday,
                    "figures": figures,
                    "acknowledged_at": yesterday if n % 2 else None,
                }
            )
        for kind, at in (("triggered", yesterday), ("resolved", yesterday + timedelta(hours=1))):
            events.append(
                {
                    "organization_id": org_id,
                    "rule": "stale",
                    "episode": 1,
                    "kind": kind,
                    "level": 1 if kind == "triggered" else 0,
                    "occurred_at": at,
                    "figures": figures,
                }
            )
    db.session.execute(insert(AlertState), states)
    db.session.execute(insert(AlertEvent), events)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--managers", type=int, default=100)
    args = parser.parse_args()
    url, drop = scratch_database(os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    os.environ.update(DATABASE_URL=url, ACCOUNTDESK_ENV="development")
    os.environ.pop("SMTP_URL", None)
    app = create_app()
    now = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)  # 09:00 UTC: every UTC user is due
    try:
        with app.app_context(), app.test_request_context():
            upgrade()
            seed(args.orgs, args.managers, now)
            started = time.perf_counter()
            sent = send_due_digests(now)
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            again = send_due_digests(now)
            repeat = time.perf_counter() - started
            stored = db.session.scalar(db.select(db.func.count()).select_from(MailMessage))
            sample = db.session.scalars(db.select(MailMessage.text_body).limit(1)).one()
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    print(f"{args.managers} managers x {args.orgs} organisations: {len(sent)} digests stored ({stored} messages)")
    print(f"digest run: {elapsed:.2f} s total, {1000 * elapsed / max(1, len(sent)):.0f} ms per digest (target < 60 s)")
    print(f"repeat run (all already sent): {repeat:.2f} s, {sum(s.new for s in again)} new")
    print(f"sample digest: {len(sample)} characters of text")


if __name__ == "__main__":
    main()
