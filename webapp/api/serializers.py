"""JSON shapes of the API (the seed's fields, SPEC §2 formats): plain functions from rows to dicts."""

from __future__ import annotations

from decimal import Decimal

from webapp.models import BalanceSnapshot, CostSnapshot, Organization
from webapp.money import format_amount
from webapp.queries.costs import fees_of, usage_lines_of
from webapp.services.csv_export import iso_utc


def format_quantity(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros (quantities are not money)."""
    return format(value.normalize(), "f") if value else "0"


def organization_json(org: Organization) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "created_at": iso_utc(org.created_at),
        "updated_at": iso_utc(org.updated_at),
    }


def balance_json(row: BalanceSnapshot) -> dict:
    return {
        "organization_id": row.organization_id,
        "amount": format_amount(row.amount),
        "currency": row.currency,
        "collected_at": iso_utc(row.collected_at),
    }


def cost_json(row: CostSnapshot) -> dict:
    return {
        "organization_id": row.organization_id,
        "year": row.year,
        "month": row.month,
        "collected_at": iso_utc(row.collected_at),
        "currency": row.currency,
        "total": format_amount(row.total),
        "fees": [{"code": f.code, "name": f.name, "amount": format_amount(f.amount)} for f in fees_of(row)],
        "usage_lines": [
            {
                "service": line.service,
                "operator_id": line.operator_id,
                "operator_name": line.operator_name,
                "quantity": format_quantity(line.quantity),
                "unit": line.unit,
                "amount": format_amount(line.amount),
            }
            for line in usage_lines_of(row)
        ],
    }
