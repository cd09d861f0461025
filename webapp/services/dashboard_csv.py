"""The dashboard's CSV downloads (SPEC §7): the portfolio as shown, balance history, a month's usage lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from webapp.models import CostSnapshot, Organization
from webapp.queries.balances import Movement
from webapp.queries.costs import UsageRow
from webapp.queries.portfolio import PortfolioRow
from webapp.services.csv_export import USAGE_LINE_COLUMNS, usage_line_cells

PORTFOLIO_HEADER = [
    "organization_id",
    "organization",
    "balance",
    "currency",
    "balance_change_7d",
    "month_to_date_cost",
    "cost_currency",
    "runway_days",
    "low_balance",
    "stale",
    "short_runway",
    "balance_since",
    "last_checked_at",
]
HISTORY_HEADER = ["organization_id", "organization", "collected_at", "previous_amount", "amount", "change", "currency"]
USAGE_HEADER = ["organization_id", "organization", "month", "snapshot_collected_at", *USAGE_LINE_COLUMNS]


def portfolio_csv_rows(rows: Iterable[PortfolioRow]) -> Iterator[list[object]]:
    for row in rows:
        runway = row.runway_days
        yield [
            row.id,
            row.name,
            row.amount,
            row.currency,
            row.change_7d,
            row.cost,
            row.cost_currency,
            None if runway is None else int(runway),
            row.low_balance,
            row.stale,
            row.short_runway,
            row.collected_at,
            row.checked_at,
        ]


def history_csv_rows(organization: Organization, movements: Iterable[Movement]) -> Iterator[list[object]]:
    for movement in movements:
        yield [
            organization.id,
            organization.name,
            movement.at,
            movement.old,
            movement.new,
            movement.delta,
            movement.currency,
        ]


def usage_csv_rows(organization: Organization, snapshot: CostSnapshot, lines: list[UsageRow]) -> Iterator[list[object]]:
    month = f"{snapshot.year:04d}-{snapshot.month:02d}"
    for line in lines:
        yield [
            organization.id,
            organization.name,
            month,
            snapshot.collected_at,
            *usage_line_cells(line, snapshot.currency),
        ]
