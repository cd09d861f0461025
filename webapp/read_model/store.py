"""Storing the read model: load an organisation's ledger, rebuild its derived rows, list differences.

Nothing here commits: the caller owns the transaction (the CLI commits per organisation; the
collection write path keeps the rows current with read_model.refresh, in the snapshot's transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, insert, select
from sqlalchemy.orm import Session, scoped_session

from webapp.domain.money import format_amount
from webapp.domain.week_change import week_ago_value
from webapp.extensions import db
from webapp.models import (
    BalanceSnapshot,
    CollectionState,
    CostSnapshot,
    Organization,
    OrganizationDailyFigure,
    OrganizationSummary,
)
from webapp.read_model.anomalies import detect
from webapp.read_model.change_base import with_change_base
from webapp.read_model.daily import DailyFigures, daily_figures
from webapp.read_model.forecast import forecast_day, ledger_months
from webapp.read_model.ledger import BalancePoint, CostPoint, Ledger, StatePoint
from webapp.read_model.summary import Summary, summarize

SUMMARIES = cast(Table, OrganizationSummary.__table__)
DAILY = cast(Table, OrganizationDailyFigure.__table__)
Executor = Session | scoped_session[Any] | Connection


class UnknownOrganization(LookupError):
    def __init__(self, organization_id: int) -> None:
        super().__init__(f"organisation {organization_id} does not exist")
        self.organization_id = organization_id


@dataclass(frozen=True)
class Difference:
    """A stored value that a recomputation from the ledger disagrees with."""

    organization_id: int
    table: str
    day: date | None
    column: str
    stored: str | None
    expected: str | None

    def describe(self) -> str:
        where = f"{self.table} {self.day.isoformat()}" if self.day else self.table
        return (
            f"organisation {self.organization_id}: {where} {self.column}: "
            f"stored {self.stored}, expected {self.expected}"
        )

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "day": self.day.isoformat() if self.day else None}


BALANCE_POINT = (BalanceSnapshot.collected_at, BalanceSnapshot.amount, BalanceSnapshot.currency)
COST_POINT = (
    CostSnapshot.collected_at,
    CostSnapshot.year,
    CostSnapshot.month,
    CostSnapshot.currency,
    CostSnapshot.total,
    CostSnapshot.usage_lines,
)


def load_ledger(executor: Executor, organization_id: int) -> Ledger:
    """The organisation's snapshots and collection states (explicit columns, so a migration can call it)."""
    balances = executor.execute(select(*BALANCE_POINT).where(BalanceSnapshot.organization_id == organization_id))
    costs = executor.execute(select(*COST_POINT).where(CostSnapshot.organization_id == organization_id))
    return Ledger(
        balances=[BalancePoint(*row) for row in balances],
        costs=[CostPoint.from_row(**row._mapping) for row in costs],
        states=load_states(executor, organization_id),
    )


def load_states(executor: Executor, organization_id: int) -> list[StatePoint]:
    states = executor.execute(
        select(
            CollectionState.kind,
            CollectionState.last_attempt_at,
            CollectionState.last_success_at,
            CollectionState.last_error,
            CollectionState.last_error_at,
            CollectionState.consecutive_failures,
        ).where(CollectionState.organization_id == organization_id)
    )
    return [StatePoint(*(row[:5]), consecutive_failures=row[5] or 0) for row in states]


def derived_rows(organization_id: int, ledger: Ledger) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The summary row and the daily rows, as column values."""
    days = daily_figures(ledger)
    summary = summarize(ledger, days, earlier=ledger_months(ledger.costs, days, forecast_day(ledger.as_of)))
    return summary_values(organization_id, summary), [daily_values(organization_id, day) for day in days]


_SUMMARY_FIELDS = [item.name for item in fields(Summary)]
_DAILY_FIELDS = [item.name for item in fields(DailyFigures)]


def summary_values(organization_id: int, summary: Summary) -> dict[str, Any]:
    return {"organization_id": organization_id, **{name: getattr(summary, name) for name in _SUMMARY_FIELDS}}


def daily_values(organization_id: int, figures: DailyFigures) -> dict[str, Any]:
    """The row's values (spend_by_service is the figures' own mapping: rows are written, not kept)."""
    return {"organization_id": organization_id, **{name: getattr(figures, name) for name in _DAILY_FIELDS}}


def write_rows(executor: Executor, summary: dict[str, Any], days: list[dict[str, Any]]) -> None:
    """Replace one organisation's derived rows with these (the summary with its 7-day change base, from them)."""
    organization_id = summary["organization_id"]
    executor.execute(delete(DAILY).where(DAILY.c.organization_id == organization_id))
    if days:
        executor.execute(insert(DAILY), days)
    replace_summary(executor, summary, {day["day"]: day["closing_balance"] for day in days}, date.min)


def replace_summary(
    executor: Executor, summary: dict[str, Any], closings: dict[date, Decimal | None], complete_from: date
) -> None:
    """Replace the organisation's summary with these values and its 7-day change base (read_model.change_base),
    after its daily rows are written: `closings` holds their closing balances, every one from `complete_from` on
    (the base of an earlier day is read from the table)."""
    executor.execute(delete(SUMMARIES).where(SUMMARIES.c.organization_id == summary["organization_id"]))
    base = with_change_base(executor, summary, closings=closings, complete_from=complete_from)
    executor.execute(insert(SUMMARIES), [base])


def _require(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise UnknownOrganization(organization_id)
    return organization


def rebuild(organization_id: int) -> None:
    """Recompute the organisation's summary, daily figures and anomaly episodes in the caller's transaction."""
    _require(organization_id)
    summary, days = derived_rows(organization_id, load_ledger(db.session, organization_id))
    write_rows(db.session, summary, days)
    detect(organization_id, previous_last_day=None, whole=True)  # the episodes, over the whole history


def differences(organization_id: int) -> list[Difference]:
    """Every way the stored rows differ from a recomputation (empty when they agree), and the summary's copies of
    the organisation's low-balance threshold (kept by triggers: migration 0016) and of its lowercased name, which
    the portfolio sorts and searches on (sort_name, by triggers: 0013; lower() as the database computes it)."""
    threshold = _require(organization_id).low_balance_threshold
    sort_name = db.session.scalar(select(func.lower(Organization.name)).where(Organization.id == organization_id))
    summary, days = derived_rows(organization_id, load_ledger(db.session, organization_id))
    stored_summary = db.session.execute(select(SUMMARIES).where(SUMMARIES.c.organization_id == organization_id)).first()
    stored_days = db.session.execute(select(DAILY).where(DAILY.c.organization_id == organization_id))
    found = _compare(
        organization_id,
        SUMMARIES.name,
        {None: {**summary, "balance_threshold": threshold, "sort_name": sort_name}},
        {None: dict(stored_summary._mapping)} if stored_summary else {},
    )
    found += _compare(
        organization_id,
        DAILY.name,
        {row["day"]: row for row in days},
        {row.day: dict(row._mapping) for row in stored_days},
    )
    return found + _base_differences(organization_id, summary, days, stored_summary)


def _base_differences(
    organization_id: int, summary: Mapping[str, Any], days: list[dict[str, Any]], stored: Any
) -> list[Difference]:
    """The stored 7-day change base against the rule for its stored day (read_model.change_base), over the
    recomputed rows: a base is a fact of its day, whichever day that is (none: no amount either)."""
    if stored is None:
        return []  # the missing row is reported already
    day, amount = stored.change_base_day, stored.change_base_amount
    row = next((figures for figures in days if figures["day"] == day), None)
    expected = (
        None
        if day is None
        else week_ago_value(
            day,
            has_row=row is not None,
            closing=row["closing_balance"] if row else None,
            as_of=summary["as_of"],
            current=summary["balance_amount"],
        )
    )
    if expected == amount:
        return []
    return [Difference(organization_id, SUMMARIES.name, day, "change_base_amount", _text(amount), _text(expected))]


def _compare(
    organization_id: int,
    table: str,
    expected: Mapping[date | None, Mapping[str, Any]],
    stored: Mapping[date | None, Mapping[str, Any]],
) -> list[Difference]:
    found = []
    for key in sorted(expected.keys() | stored.keys(), key=lambda day: day or date.min):
        want, have = expected.get(key), stored.get(key)
        if want is None or have is None:
            found.append(
                Difference(
                    organization_id,
                    table,
                    key,
                    "(row)",
                    "present" if have is not None else "missing",
                    "present" if want is not None else "absent",
                )
            )
            continue
        for column in want:
            if want[column] != have.get(column):
                found.append(
                    Difference(organization_id, table, key, column, _text(have.get(column)), _text(want[column]))
                )
    return found


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def organization_ids(*, after: int | None = None) -> Iterable[int]:
    statement = select(Organization.id).order_by(Organization.id)
    if after is not None:
        statement = statement.where(Organization.id > after)
    return list(db.session.scalars(statement))
