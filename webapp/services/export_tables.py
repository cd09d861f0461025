"""The dashboard's downloads as typed tables (SPEC §7): the portfolio as shown, the balance history, and a
month's costs that reconcile (usage lines, the unattributed difference and the other fees add up to the
total). One table feeds both the spreadsheet CSV and its .xlsx twin, so the two never disagree."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import Enum

from webapp.domain.months import Month
from webapp.models import Organization
from webapp.queries.balances import Movement
from webapp.queries.costs import Breakdown
from webapp.queries.portfolio import PortfolioRow


class Kind(Enum):
    """How a column's values are typed in a spreadsheet."""

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # Decimal, formatted with the decimals of the currency in the column `currency`
    NUMBER = "number"  # Decimal without a currency (quantities)
    TIMESTAMP = "timestamp"  # an aware datetime, shown in the table's zone
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    currency: int | None = None  # MONEY: the index of the column that holds each row's currency


@dataclass(frozen=True, slots=True)
class Table:
    """A download: a sheet name, typed columns, rows read lazily (streamed), and the zone of its timestamps."""

    sheet: str
    columns: list[Column]
    rows: Iterable[Sequence[object]]
    zone: tzinfo = UTC

    @property
    def header(self) -> list[str]:
        return [column_title(column, self.zone) for column in self.columns]


def zone_label(zone: tzinfo) -> str:
    """The zone's name as a header shows it: "UTC", or an IANA key such as "Europe/Berlin"."""
    return str(zone)


def column_title(column: Column, zone: tzinfo) -> str:
    """The one place a timestamp column's title gets its zone: "Collected at (UTC)"."""
    return f"{column.title} ({zone_label(zone)})" if column.kind is Kind.TIMESTAMP else column.title


def local_wall_time(moment: datetime, zone: tzinfo) -> datetime:
    """An aware moment as naive wall-clock time in the zone: what a spreadsheet cell holds."""
    return moment.astimezone(zone).replace(tzinfo=None)


ORG_ID, ORG = Column("Organization ID", Kind.INTEGER), Column("Organization")
PORTFOLIO_COLUMNS = [
    ORG_ID, ORG, Column("Balance", Kind.MONEY, currency=3), Column("Currency"),
    Column("Balance change 7 days", Kind.MONEY, currency=3), Column("Month-to-date cost", Kind.MONEY, currency=6),
    Column("Cost currency"), Column("Runs out in (days)", Kind.INTEGER), Column("Overdrawn", Kind.FLAG),
    Column("Low balance", Kind.FLAG), Column("Stale", Kind.FLAG), Column("Runs out within 14 days", Kind.FLAG),
    Column("Balance unchanged since", Kind.TIMESTAMP), Column("Last checked", Kind.TIMESTAMP),
]  # fmt: skip


def portfolio_table(rows: Iterable[PortfolioRow], *, zone: tzinfo = UTC) -> Table:
    def cells() -> Iterator[list[object]]:
        for row in rows:
            runway = None if row.runway_days is None else int(row.runway_days)
            money = [row.amount, row.currency, row.change_7d, row.cost, row.cost_currency]
            flags = [row.overdrawn, row.low_balance, row.stale, row.short_runway]
            yield [row.id, row.name, *money, runway, *flags, row.collected_at, row.checked_at]

    return Table("Portfolio", PORTFOLIO_COLUMNS, cells(), zone)


HISTORY_COLUMNS = [
    ORG_ID, ORG, Column("Collected at", Kind.TIMESTAMP), Column("Previous amount", Kind.MONEY, currency=6),
    Column("Amount", Kind.MONEY, currency=6), Column("Change", Kind.MONEY, currency=6), Column("Currency"),
]  # fmt: skip


def history_table(org: Organization, movements: Iterable[Movement], *, zone: tzinfo = UTC) -> Table:
    rows = ([org.id, org.name, move.at, move.old, move.new, move.delta, move.currency] for move in movements)
    return Table("Balance history", HISTORY_COLUMNS, rows, zone)


# A month's costs, one row per usage line, then the unattributed difference, the other fees and the total.
USAGE_LINE, UNATTRIBUTED, FEE, TOTAL = "Usage line", "Unattributed usage", "Fee", "Total"
USAGE_FEE_CODE = "usage"  # the fee the usage lines itemise (queries.costs.unattributed_difference)
COST_COLUMNS = [
    ORG_ID, ORG, Column("Month (UTC)"), Column("Snapshot collected at", Kind.TIMESTAMP), Column("Kind"),
    Column("Service or fee"), Column("Fee code"), Column("Operator ID"), Column("Operator"),
    Column("Quantity", Kind.NUMBER), Column("Unit"), Column("Amount", Kind.MONEY, currency=12), Column("Currency"),
]  # fmt: skip


def cost_table(org: Organization, breakdown: Breakdown, *, zone: tzinfo = UTC) -> Table:
    """The month as the cost page shows it. The usage lines and the unattributed difference stand in for
    the usage fee (they add up to it), so every amount above the total row adds up to the total whenever
    the provider reports a usage fee, as SPEC §2's snapshots do."""
    return Table(f"Costs {Month(breakdown.snapshot.year, breakdown.snapshot.month)}", COST_COLUMNS,
                 _cost_rows(org, breakdown), zone)  # fmt: skip


def _cost_rows(org: Organization, breakdown: Breakdown) -> Iterator[list[object]]:
    snapshot, currency = breakdown.snapshot, breakdown.snapshot.currency
    head = [org.id, org.name, str(Month(snapshot.year, snapshot.month)), snapshot.collected_at]
    for line in breakdown.lines:
        itemised = [line.service, None, line.operator_id, line.operator_name, line.quantity, line.unit]
        yield [*head, USAGE_LINE, *itemised, line.amount, currency]
    if breakdown.unattributed:
        yield [*head, UNATTRIBUTED, "Usage fee minus the usage lines", USAGE_FEE_CODE, None, None, None, None,
               breakdown.unattributed, currency]  # fmt: skip
    itemised_by_lines = any(fee.code == USAGE_FEE_CODE for fee in breakdown.fees)
    for fee in breakdown.fees:
        if not (itemised_by_lines and fee.code == USAGE_FEE_CODE):
            yield [*head, FEE, fee.name, fee.code, None, None, None, None, fee.amount, currency]
    yield [*head, TOTAL, "Total", None, None, None, None, None, snapshot.total, currency]
