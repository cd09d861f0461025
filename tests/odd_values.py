"""Odd values a cost snapshot may hold from before validation tightened (issue 10 point 2), and a
factory that stores them directly, bypassing validation, as the old collector did."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from webapp.extensions import db
from webapp.models import CostSnapshot, Organization

HUGE_DIGITS = "1" + "0" * 5_000_000  # what "1E+5000000" became when normalised to plain digits: 5 MB
ODD_VALUES = {
    "exponent-text": "1E+5000000",
    "five-megabytes": HUGE_DIGITS,
    "tiny-exponent": "1E-5000000",
    "nan": "NaN",
    "infinity": "-Infinity",
    "negative-zero": "-0",
    "eight-decimals": "0.12345678",
    "large-exponent": "1E+30",
    "not-a-number": "twelve",
    "empty": "",
}


def store_odd_cost(org: Organization, year: int, month: int, at: datetime, odd: str) -> CostSnapshot:
    """A snapshot whose usage line carries `odd` as quantity and amount, and a fee with `odd` as amount."""
    odd_line = {"service": "Odd", "operator_id": "op-1", "operator_name": "Op", "quantity": odd, "unit": "msg"}
    sane_line = {"service": "Voice", "operator_id": None, "operator_name": None, "quantity": "3", "unit": "min"}
    lines = [{**odd_line, "amount": odd}, {**sane_line, "amount": "2.50"}]
    fees = [{"code": "usage", "name": "Usage", "amount": odd}, {"code": "base", "name": "Base", "amount": "5.00"}]
    row = CostSnapshot(
        organization_id=org.id, year=year, month=month, collected_at=at, currency="EUR",
        total=Decimal("7.50"), fees=fees, usage_lines=lines,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row
