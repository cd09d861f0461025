"""JSON shapes of the API (the seed's fields, SPEC §2 formats): plain functions from rows to dicts."""

from __future__ import annotations

from webapp.domain.money import format_amount
from webapp.models import BalanceSnapshot, CostSnapshot, Organization
from webapp.services.exports import iso_utc


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
        # Stored exactly as SPEC §2's wire form when collected (collection/validation.py), so they pass through.
        "fees": row.fees,
        "usage_lines": row.usage_lines,
    }
