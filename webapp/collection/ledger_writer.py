"""The one write path into an organisation's ledger: snapshots, collection state and the read model.

Live collection writes a batch of one check, demo replay a bulk batch per organisation; both go
through these functions, so everything derived from a snapshot (the read model, and whatever is
added beside it) is written here, in the caller's transaction, under the organisation's lock.
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from webapp.alerts.evaluate import after_collection
from webapp.collection.bulk import append_rows
from webapp.collection.state import record_attempt, record_check, record_failure
from webapp.collection.validation import balance_changed, cost_snapshot_values
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CostSnapshot
from webapp.models.collection import CollectionKind, lock_organization
from webapp.providers import BalanceReading, CostReport
from webapp.queries.balances import latest_balance_stmt
from webapp.read_model.daily import ZERO
from webapp.read_model.ledger import BalancePoint, CostPoint, Ledger, utc_day
from webapp.read_model.refresh import first_snapshot_at, refresh


@dataclass(frozen=True, slots=True)
class BalanceCheck:
    """A validated balance reading and the moment it was observed."""

    at: datetime
    reading: BalanceReading


@dataclass(frozen=True, slots=True)
class CostCheck:
    """A validated cost report of one month (None: no costs yet) and the moment it was observed."""

    at: datetime
    year: int
    month: int
    report: CostReport | None


def begin_check(organization_id: int, kind: CollectionKind, at: datetime) -> None:
    """Lock the organisation's ledger and read model until the transaction ends (PostgreSQL: an
    advisory lock; every writer of one organisation, of either kind, waits here), then record the
    attempt, a write that on SQLite takes the database's write lock before anything is read."""
    lock_organization(organization_id, "organization")
    record_attempt(organization_id, kind, at)


def write_checks(
    organization_id: int,
    *,
    balances: Sequence[BalanceCheck] = (),
    costs: Sequence[CostCheck] = (),
    live: bool = True,
) -> tuple[int, int]:
    """Write a batch of checks in time order (live: one; replay: an organisation's history, evaluated
    once at its end, without instant mail), record the last of each kind as a success and refresh the
    read model once. Returns the rows written
    (balances, costs)."""
    lock_organization(organization_id, "organization")
    for kind, checks in ((CollectionKind.BALANCES, balances), (CollectionKind.COSTS, costs)):
        if checks:  # the attempt and its success: one transaction, so recorded at once (first, for SQLite's lock)
            record_check(organization_id, kind, checks[-1].at)
    first_at = first_snapshot_at(organization_id)
    balance_rows = _write_balances(organization_id, balances)
    cost_rows, cost_points = _write_costs(organization_id, costs)
    since = [utc_day(balances[0].at)] if balances else []
    since += [min(_cost_since(check, first_at) for check in costs)] if costs else []
    if since:
        whole = Ledger(_balance_points(balance_rows), cost_points) if first_at is None else None
        moments = [row["collected_at"] for row in (*balance_rows, *cost_rows)] + ([first_at] if first_at else [])
        earlier = any(check.report is not None and _ended_before(check, first_at) for check in costs)
        refresh(organization_id, min(since), whole=whole, first_at=min(moments, default=None), reforecast=earlier)
        last = max(check.at for checks in (balances, costs) for check in checks)
        after_collection(organization_id, last, instant=live)
    return len(balance_rows), len(cost_rows)


def _ended_before(check: CostCheck, first_at: datetime | None) -> bool:
    """The check's month had ended when the ledger began: never accrued (read_model.daily), it changes no day,
    only the forecast, whose long-run level reads it (read_model.forecast.forecast_months)."""
    return first_at is not None and Month(check.year, check.month).end <= first_at


def _cost_since(check: CostCheck, first_at: datetime | None) -> date:
    """The first day a cost check can change: its month's first, or its own day (_ended_before)."""
    if _ended_before(check, first_at):
        return utc_day(check.at)
    return min(utc_day(check.at), Month(check.year, check.month).start.date())


def _balance_points(rows: list[dict[str, Any]]) -> list[BalancePoint]:
    return [BalancePoint(row["collected_at"], row["amount"], row["currency"]) for row in rows]


def _usage(report: CostReport) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, str]]:
    """Usage per service and per operator id, and each id's name, of a validated report: what
    read_model.ledger.usage_of reads back from the stored row (the stored amounts are these Decimals written
    exactly; validated names are never blank), without the round trip."""
    services: dict[str, Decimal] = {}
    operators: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    for line in report.usage_lines:
        services[line.service] = services.get(line.service, ZERO) + line.amount
        operator = line.operator_id
        if operator is not None:
            operators[operator] = operators.get(operator, ZERO) + line.amount
            names[operator] = line.operator_name or operator
    return services, operators, names


def _write_balances(organization_id: int, checks: Sequence[BalanceCheck]) -> list[dict[str, Any]]:
    """Skip-unchanged: a row for each reading that differs from the one before it and is later than
    the latest row."""
    if not checks:
        return []
    latest = db.session.scalar(latest_balance_stmt(organization_id))
    rows = []
    for check in checks:
        if balance_changed(latest, check.reading) and (latest is None or check.at > latest.collected_at):
            latest = BalanceSnapshot(
                amount=check.reading.amount, currency=check.reading.currency, collected_at=check.at
            )
            rows.append(
                {
                    "organization_id": organization_id,
                    "amount": check.reading.amount,
                    "currency": check.reading.currency,
                    "collected_at": check.at,
                }
            )
    append_rows(BalanceSnapshot, rows)
    return rows


def _write_costs(organization_id: int, checks: Sequence[CostCheck]) -> tuple[list[dict[str, Any]], list[CostPoint]]:
    """A cost snapshot for every check whose month has costs; the rows and, for the read model, their
    points (a repeated answer shares its row's documents and its point's services)."""
    rows: list[dict[str, Any]] = []
    points: list[CostPoint] = []
    previous: dict[tuple[int, int], tuple[CostReport, dict[str, Any], tuple[Any, ...]]] = {}
    for check in checks:
        report = check.report
        if report is None:
            continue
        before = previous.get((check.year, check.month))
        if before is not None and (before[0] is report or before[0] == report):  # same answer, new moment
            row, usage = {**before[1], "collected_at": check.at}, before[2]
        else:
            row = cost_snapshot_values(organization_id, check.year, check.month, check.at, report)
            usage = _usage(report)
            previous[(check.year, check.month)] = (report, row, usage)
        rows.append(row)
        points.append(CostPoint(check.at, Month(check.year, check.month), report.currency, report.total, *usage))
    append_rows(CostSnapshot, rows)
    return rows, points


def write_failure(organization_id: int, kind: CollectionKind, at: datetime, reason: str) -> None:
    """A failed check: nothing in the ledger, the failure in the state and the read model."""
    begin_check(organization_id, kind, at)
    record_failure(organization_id, kind, at, reason)
    refresh(organization_id, utc_day(at))
    after_collection(organization_id, at)
