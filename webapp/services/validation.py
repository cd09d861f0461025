"""Strict checks on what a provider answered, and the rows derived from it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from webapp.domain.money import check_amount, format_amount, is_currency
from webapp.providers import BalanceReading, CostReport, ProviderError

MAX_QUANTITY_DIGITS = 30


def _amount(value: object, where: str) -> Decimal:
    try:
        return check_amount(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise ProviderError(f"invalid {where}: {error}") from None


def _currency(code: object) -> str:
    if not is_currency(code):
        raise ProviderError(f"unknown currency code: {code!r}")
    return code  # type: ignore[return-value]


def _text(value: object, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ProviderError(f"invalid {where}: {value!r}")
    return value


def _quantity(value: object, where: str) -> Decimal:
    """Quantities are not money: any finite decimal of sensible size (bytes, API calls …)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ProviderError(f"invalid {where}: {value!r}")
    if len(value.as_tuple().digits) > MAX_QUANTITY_DIGITS:
        raise ProviderError(f"invalid {where}: more than {MAX_QUANTITY_DIGITS} digits")
    return value


def format_quantity(value: Decimal) -> str:
    """A quantity as reported, in plain notation (no exponent, no added zeros)."""
    return format(value, "f")


def validate_balance(reading: BalanceReading) -> BalanceReading:
    _amount(reading.amount, "balance amount")
    _currency(reading.currency)
    return reading


def validate_costs(report: CostReport) -> CostReport:
    _currency(report.currency)
    _amount(report.total, "cost total")
    for fee in report.fees:
        _text(fee.code, "fee code")
        _text(fee.name, "fee name")
        _amount(fee.amount, f"amount of fee {fee.code!r}")
    for line in report.usage_lines:
        _text(line.service, "usage line service")
        _text(line.unit, "usage line unit")
        _text(line.operator_id, "usage line operator_id", optional=True)
        _text(line.operator_name, "usage line operator_name", optional=True)
        _quantity(line.quantity, f"quantity of {line.service!r}")
        _amount(line.amount, f"amount of {line.service!r}")
    return report


def balance_changed(latest, reading: BalanceReading) -> bool:
    """The skip-unchanged rule: a new row only when amount or currency differs."""
    return latest is None or latest.amount != reading.amount or latest.currency != reading.currency


def cost_snapshot_values(organization_id: int, year: int, month: int, at: datetime, report: CostReport) -> dict:
    """The row for a cost snapshot, amounts kept as the exact decimal strings reported."""
    return {
        "organization_id": organization_id,
        "year": year,
        "month": month,
        "collected_at": at,
        "currency": report.currency,
        "total": report.total,
        "fees": [{"code": f.code, "name": f.name, "amount": format_amount(f.amount)} for f in report.fees],
        "usage_lines": [
            {
                "service": line.service,
                "operator_id": line.operator_id,
                "operator_name": line.operator_name,
                "quantity": format_quantity(line.quantity),
                "unit": line.unit,
                "amount": format_amount(line.amount),
            }
            for line in report.usage_lines
        ],
    }
