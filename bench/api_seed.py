"""Prepare the API benchmark: an organisation with one week of balance history and API clients.

Run with the benchmark's DATABASE_URL after `flask demo-data --orgs 1000 --days 365`; prints JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from webapp import create_app
from webapp.extensions import db
from webapp.models import BalanceSnapshot, Organization
from webapp.services.api_clients import create_client
from webapp.services.api_tokens import TokenSettings, issue_token
from webapp.services.organizations import create_organization

WEEK_REF = "bench-week-history"


def week_org() -> Organization:
    """An organisation whose ledger holds one week: a movement every 3 hours."""
    org = db.session.scalar(select(Organization).where(Organization.provider_account_ref == WEEK_REF))
    if org is not None:
        return org
    org = create_organization(name="Bench week org", provider_ref=WEEK_REF)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for step in range(7 * 8):
        at = now - timedelta(hours=3 * step)
        db.session.add(
            BalanceSnapshot(organization_id=org.id, amount=Decimal(1000 + step), currency="EUR", collected_at=at)
        )
    db.session.flush()
    return org


def year_org_id() -> int:
    """The demo organisation with the most balance snapshots."""
    count = func.count(BalanceSnapshot.id)
    statement = select(BalanceSnapshot.organization_id).group_by(BalanceSnapshot.organization_id).order_by(count.desc())
    return db.session.scalar(statement.limit(1))


def token_for(app, organization_id: int, name: str) -> str:
    new = create_client(organization_id=organization_id, name=name)
    settings = TokenSettings.from_config(app.config)
    return issue_token(settings, client_id=new.client.client_id, organization_id=organization_id)


def main() -> None:
    app = create_app({"JWT_TTL_SECONDS": 6 * 3600})
    with app.app_context():
        week, year = week_org().id, year_org_id()
        rows = {
            org_id: db.session.scalar(select(func.count()).where(BalanceSnapshot.organization_id == org_id))
            for org_id in (week, year)
        }
        tokens = {"week": token_for(app, week, "bench week"), "year": token_for(app, year, "bench year")}
        db.session.commit()
        orgs = db.session.scalar(select(func.count(Organization.id)))
        total = db.session.scalar(select(func.count(BalanceSnapshot.id)))
    print(json.dumps({"week_org": week, "year_org": year, "rows": rows, "orgs": orgs, "balance_rows": total, **tokens}))


if __name__ == "__main__":
    main()
