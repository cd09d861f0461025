"""The organisation page's balance card reads the read-model summary (issue 12 point 2)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from tests.dashboard_data import mark_checked, signed_in
from tests.factories import make_balance, make_org
from webapp.extensions import db
from webapp.models import OrganizationSummary
from webapp.models.types import utcnow


def _card(page: str) -> str:
    return page.split('class="card balance-card', 1)[1].split("</section>", 1)[0]


def test_card_shows_the_summary_and_judges_staleness_against_now(app, client):
    now = utcnow()
    org = make_org(name="Card Ltd", low_balance_threshold=Decimal("50"))
    make_balance(org, "42.00", at=now - timedelta(days=2))
    mark_checked(org, now - timedelta(hours=1))
    signed_in(client, role="admin")
    card = _card(client.get(f"/orgs/{org.id}").get_data(as_text=True))
    assert "€42.00" in card and "low balance" in card and "is-stale" not in card
    assert (now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M") in card  # unchanged since

    # The summary is what the card shows: a stored summary that says otherwise wins over the ledger.
    db.session.execute(
        update(OrganizationSummary)
        .where(OrganizationSummary.organization_id == org.id)
        .values(balance_amount=Decimal("777.00"), checked_at=now - timedelta(hours=9))
    )
    card = _card(client.get(f"/orgs/{org.id}").get_data(as_text=True))
    assert "€777.00" in card and "low balance" not in card
    assert "is-stale" in card  # 9 h > two intervals of 3 h, judged now
