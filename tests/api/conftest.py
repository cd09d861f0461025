"""API test fixtures: two tenants with distinctive data, a client and a token for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.factories import make_balance, make_org
from webapp.extensions import db
from webapp.models import CostSnapshot, Organization
from webapp.services.api_clients import NewClient, create_client
from webapp.services.api_tokens import TokenSettings, issue_token

# Organisation B's values: distinctive strings a leak into A's answers would show.
B_NAME = "Zebra Secret Holdings"
B_AMOUNT = "98765.4321"
B_TOTAL = "55555.55"
B_OPERATOR = "op-zebra-777"
B_SERVICE = "Zebra SMS"
B_MONTH = (2025, 11)  # only B has costs in this month
B_MARKERS = (B_NAME, B_AMOUNT, B_TOTAL, B_OPERATOR, B_SERVICE)


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def make_cost(
    org: Organization, year: int, month: int, collected: datetime, lines: list[dict], **fields
) -> CostSnapshot:
    usage = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    values = {
        "organization_id": org.id,
        "year": year,
        "month": month,
        "collected_at": collected,
        "currency": "EUR",
        "total": usage + Decimal("5.00"),
        "fees": [
            {"code": "usage", "name": "Usage", "amount": str(usage)},
            {"code": "base", "name": "Base fee", "amount": "5.00"},
        ],
        "usage_lines": lines,
        **fields,
    }
    row = CostSnapshot(**values)
    db.session.add(row)
    db.session.flush()
    return row


def line(service: str, amount: str, operator: str | None = "op-1", quantity: str = "10", unit: str = "msg") -> dict:
    name = None if operator is None else f"Operator {operator}"
    return {"service": service, "operator_id": operator, "operator_name": name, "quantity": quantity, "unit": unit,
            "amount": amount}  # fmt: skip


@dataclass
class Tenant:
    org: Organization
    api: NewClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def bearer_for(app, new: NewClient) -> str:
    return issue_token(
        TokenSettings.from_config(app.config),
        client_id=new.client.client_id,
        organization_id=new.client.organization_id,
    )


@pytest.fixture
def tenant_a(app) -> Tenant:
    org = make_org(name="Alpha Trading")
    make_balance(org, "1200.00", at=at(1))
    make_balance(org, "1234.5", at=at(2))
    make_cost(org, 2026, 3, at(2), [line("Voice", "12.34"), line("=HYPERLINK(1)", "-3.1", operator=None)])
    make_cost(org, 2026, 3, at(3), [line("Voice", "20.00"), line("=HYPERLINK(1)", "-3.10", operator=None)])
    new = create_client(organization_id=org.id, name="Alpha ERP")
    return Tenant(org, new, bearer_for(app, new))


@pytest.fixture
def tenant_b(app, tenant_a) -> Tenant:
    """Seeded after A, with newer timestamps, so a missing tenant filter would pick B's rows."""
    org = make_org(name=B_NAME)
    make_balance(org, B_AMOUNT, at=at(5))
    make_cost(org, 2026, 3, at(6), [line(B_SERVICE, B_TOTAL, operator=B_OPERATOR)], total=Decimal(B_TOTAL))
    make_cost(org, *B_MONTH, at(20, month=11).replace(year=2025), [line(B_SERVICE, "1.00", operator=B_OPERATOR)])
    new = create_client(organization_id=org.id, name="Zebra alerting")
    return Tenant(org, new, bearer_for(app, new))


def assert_no_leak(body: str, tenant_b: Tenant) -> None:
    for marker in (*B_MARKERS, tenant_b.api.client.client_id):
        assert marker not in body, f"organisation B's {marker!r} leaked"
    assert f'"organization_id": {tenant_b.org.id}' not in body
    assert f'"id": {tenant_b.org.id},' not in body
