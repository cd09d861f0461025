"""Strict checks on what a provider answered, and the rows derived from it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from webapp.domain.money import PRECISION, QUANTUM, SCALE, check_amount, format_amount, is_currency
from webapp.models import BalanceSnapshot
from webapp.providers import BalanceReading, CostReport, ProviderError, UsageLine
from webapp.providers.base import QUANTITY_FRAC_DIGITS, QUANTITY_INT_DIGITS, check_quantity, has_control_character

# The same currency, service, unit and operator names recur in every answer: check each distinct one once.
_has_control_character = lru_cache(maxsize=16384)(has_control_character)


def _amount(value: object, where: str) -> Decimal:
    try:
        return check_amount(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise ProviderError(f"invalid {where}: {error}") from None


def _currency(code: object, where: str) -> str:
    if isinstance(code, str) and _has_control_character(code):
        raise ProviderError(f"control character in {where}")
    if not is_currency(code):
        raise ProviderError(f"unknown currency code: {code!r}")
    return code  # type: ignore[return-value]


def _text(value: object, label: str, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ProviderError(f"invalid {label}: {value[:40]!r}" if isinstance(value, str) else f"invalid {label}")
    if _has_control_character(value):
        raise ProviderError(f"control character in {where}")
    return value


def _quantity(value: object, where: str) -> Decimal:
    """Quantities are not money (bytes, API calls …): finite, within the bounds of providers.base."""
    try:
        return check_quantity(value)  # type: ignore[arg-type]
    except ValueError as error:
        raise ProviderError(f"invalid {where}: {error}") from None


def format_quantity(value: Decimal) -> str:
    """A quantity as reported, in plain notation (no exponent, no added zeros)."""
    return format(value, "f")


def validate_balance(reading: BalanceReading) -> BalanceReading:
    _amount(reading.amount, "balance amount")
    _currency(reading.currency, "balance.currency")
    return reading


def validate_costs(report: CostReport) -> CostReport:
    _currency(report.currency, "costs.currency")
    _amount(report.total, "costs.total")
    for i, fee in enumerate(report.fees):
        _text(fee.code, "fee code", f"fees[{i}].code")
        _text(fee.name, "fee name", f"fees[{i}].name")
        _amount(fee.amount, f"fees[{i}].amount")
    for i, line in enumerate(report.usage_lines):
        if not _line_passes(line):
            _check_line(line, f"usage_lines[{i}]")  # raises, naming what is wrong where
    return report


def _check_line(line: UsageLine, where: str) -> None:
    _text(line.service, "usage line service", f"{where}.service")
    _text(line.unit, "usage line unit", f"{where}.unit")
    _text(line.operator_id, "usage line operator_id", f"{where}.operator_id", optional=True)
    _text(line.operator_name, "usage line operator_name", f"{where}.operator_name", optional=True)
    _quantity(line.quantity, f"{where}.quantity")
    _amount(line.amount, f"{where}.amount")


def _line_passes(line: UsageLine) -> bool:
    """_check_line's verdict without building its messages (a report has many lines, a replay many
    reports): the names, which recur, checked once each; the numbers every time."""
    service, unit, operator_id, operator_name = line.service, line.unit, line.operator_id, line.operator_name
    if type(service) is not str or type(unit) is not str:
        return False
    if not (operator_id is None or type(operator_id) is str) or not (
        operator_name is None or type(operator_name) is str
    ):
        return False
    if not _names_pass(service, unit, operator_id, operator_name):
        return False
    return _fits(line.quantity, QUANTITY_INT_DIGITS, _QUANTITY_QUANTUM) and _fits(
        line.amount, _MONEY_INT_DIGITS, QUANTUM
    )


_MONEY_INT_DIGITS = PRECISION - SCALE
_QUANTITY_QUANTUM = Decimal(1).scaleb(-QUANTITY_FRAC_DIGITS)


def _fits(value: object, int_digits: int, quantum: Decimal) -> bool:
    """check_amount's / check_quantity's verdict, cheaply: a finite Decimal with fewer integer digits
    than `int_digits` that rounding to `quantum` leaves unchanged."""
    if type(value) is not Decimal or not value.is_finite():
        return False
    return (not value or value.adjusted() < int_digits) and value.quantize(quantum) == value


@lru_cache(maxsize=16384)
def _names_pass(service: str | None, unit: str | None, operator_id: str | None, operator_name: str | None) -> bool:
    try:
        _text(service, "", "")
        _text(unit, "", "")
        _text(operator_id, "", "", optional=True)
        _text(operator_name, "", "", optional=True)
    except ProviderError:
        return False
    return True


def balance_changed(latest: BalanceSnapshot | None, reading: BalanceReading) -> bool:
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
