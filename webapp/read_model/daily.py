"""Daily figures per UTC day: closing balance, top-ups, spend from the cost snapshots' accrual, spend per service.

Rules (docs/data-model.md, "Read model"):
- spend is the growth of a month's reported total, attributed to the UTC day of the snapshot that
  shows it (a snapshot of month M collected after M ended counts on M's last day);
- a decrease (credit, correction) counts nothing and accrual resumes from the highest total seen,
  so spend is never negative and nothing is counted twice;
- rows start on the day the ledger's first snapshot was collected, and a month that had ended by then
  (a past month collected later, or in a new month's first days) is never accrued;
- a month's first snapshot counts wholly when its total is known to have started at zero (it falls on
  the month's first day, or the ledger already existed before the month); otherwise, and after a
  currency change, it is the baseline that later growth is measured from;
- top-ups are the rises between consecutive balance snapshots of one currency, on the later one's day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

from webapp.domain.balance import top_up
from webapp.domain.money import format_amount
from webapp.domain.months import Month
from webapp.read_model.ledger import BalancePoint, CostPoint, Ledger, utc_day

ZERO = Decimal(0)


@dataclass(frozen=True)
class DailyFigures:
    day: date
    closing_balance: Decimal | None
    balance_currency: str | None
    top_ups: Decimal
    spend: Decimal
    spend_currency: str | None
    spend_by_service: dict[str, str] = field(default_factory=dict)
    spend_by_operator: dict[str, str] = field(default_factory=dict)


# what the summary and the forecast read back of a stored day: not the operators (the anomalies' alone)
SUMMARY_FIELDS = tuple(item.name for item in fields(DailyFigures) if item.name != "spend_by_operator")


@dataclass(frozen=True)
class Accrual:
    """The growth one cost snapshot shows over the ones before it in its month."""

    day: date
    currency: str
    amount: Decimal
    services: dict[str, Decimal]
    operators: dict[str, Decimal] = field(default_factory=dict)


def last_day(month: Month) -> date:
    return (month.end - timedelta(days=1)).date()


def attributed_day(point: CostPoint) -> date:
    first, last = _days_of(point.month)
    return min(max(utc_day(point.collected_at), first), last)


@lru_cache(maxsize=4096)
def _days_of(month: Month) -> tuple[date, date]:
    return month.start.date(), last_day(month)


def accruals(ledger: Ledger) -> list[Accrual]:
    """Every cost snapshot's growth, ordered by attributed day then collection time; none of a month that had
    ended when the ledger began (it was never seen accruing: see daily_figures)."""
    by_month: dict[Month, list[CostPoint]] = defaultdict(list)
    for point in ledger.costs:
        by_month[point.month].append(point)
    first_at = ledger.first_snapshot_at
    found: list[tuple[date, datetime, Accrual]] = []
    for month, points in by_month.items():
        if first_at is not None and month.end <= first_at:
            continue
        opens_at_zero = attributed_day(points[0]) == month.start.date() or (
            first_at is not None and first_at < month.start
        )
        for point, accrual in zip(points, _month_accruals(points, opens_at_zero), strict=True):
            found.append((accrual.day, point.collected_at, accrual))
    found.sort(key=lambda item: (item[0], item[1]))
    return [accrual for _day, _at, accrual in found]


def _month_accruals(points: list[CostPoint], opens_at_zero: bool) -> list[Accrual]:
    high: Decimal | None = ZERO if opens_at_zero else None
    high_services: dict[str, Decimal] = {}
    high_operators: dict[str, Decimal] = {}
    currency = points[0].currency
    result = []
    previous: CostPoint | None = None
    for point in points:
        day = attributed_day(point)
        if _repeats(previous, point) and high is not None and point.currency == currency:
            result.append(Accrual(day, currency, ZERO, {}))  # what the loop below finds for a repeat
            continue
        previous = point
        if high is None or point.currency != currency:
            currency, high = point.currency, point.total
            high_services, high_operators = dict(point.services), dict(point.operators)
            result.append(Accrual(day, currency, ZERO, {}))
            continue
        operators = _shown(_growth(point.operators, high_operators), point.operator_names)
        result.append(
            Accrual(day, currency, max(ZERO, point.total - high), _growth(point.services, high_services), operators)
        )
        high = max(high, point.total)
    return result


def _growth(amounts: Mapping[str, Decimal], highs: dict[str, Decimal]) -> dict[str, Decimal]:
    """Each name's rise over its highest amount so far in the month (raising that high): never negative."""
    grown = {}
    for name, amount in amounts.items():
        before = highs.get(name, ZERO)
        if amount > before:
            grown[name], highs[name] = amount - before, amount
    return grown


def _shown(by_id: dict[str, Decimal], names: Mapping[str, str]) -> dict[str, Decimal]:
    """Operators' growth, tracked by id (a renamed operator's month is not counted again), keyed by the name
    they are shown by now (two ids of one name add up)."""
    shown: dict[str, Decimal] = {}
    for operator, amount in by_id.items():
        name = names.get(operator, operator)
        shown[name] = shown.get(name, ZERO) + amount
    return shown


def _repeats(previous: CostPoint | None, point: CostPoint) -> bool:
    """The same answer again (a bulk write shares one services mapping between the points of a
    repeated report): it grows nothing, as the highs already cover it."""
    return (
        previous is not None
        and point.services is previous.services
        and point.total == previous.total
        and point.currency == previous.currency
    )


def top_ups(balances: Sequence[BalancePoint]) -> list[tuple[date, str, Decimal]]:
    """(day, currency, amount) of every rise between consecutive snapshots of one currency."""
    rises = []
    for before, after in pairwise(balances):
        rise = top_up(before.amount, before.currency, after.amount, after.currency)
        if rise is not None:
            rises.append((utc_day(after.collected_at), after.currency, rise))
    return rises


def daily_figures(
    ledger: Ledger, *, from_day: date | None = None, spend_currency: str | None = None
) -> list[DailyFigures]:
    """One row per UTC day from the day the first snapshot was collected to the day of ledger.as_of.

    Spend is counted from then on only: a month that had ended when the ledger began (the previous month
    collected in a new month's first days, a past month collected by hand with `flask collect costs
    --month`) is never accrued, not even its later growth (late charges); the cost page shows what was
    reported for it. So no day before the first collection gets a row: such days, when nothing was known,
    read as days without spend to the forecast, the anomaly baselines and the charts.

    For a window of the ledger (read_model.refresh): the rows from `from_day` on, given the spend
    currency of the day before; the window holds the last balance before that day and whole months."""
    as_of, first_at = ledger.as_of, ledger.first_snapshot_at
    start = from_day or (utc_day(first_at) if first_at else None)
    if as_of is None or start is None:
        return []
    found = accruals(ledger)
    by_day: dict[date, list[Accrual]] = defaultdict(list)
    for accrual in found:
        by_day[accrual.day].append(accrual)
    rises: dict[date, list[tuple[str, Decimal]]] = defaultdict(list)
    for day, currency, amount in top_ups(ledger.balances):
        rises[day].append((currency, amount))
    balances, taken = ledger.balances, 0
    closing: BalancePoint | None = None
    rows = []
    day = start
    while day <= utc_day(as_of):
        while taken < len(balances) and utc_day(balances[taken].collected_at) <= day:
            closing, taken = balances[taken], taken + 1
        todays = by_day.get(day, [])
        if todays:
            spend_currency = todays[-1].currency
        rows.append(_day_row(day, closing, spend_currency, todays, rises.get(day, [])))
        day += timedelta(days=1)
    return rows


def _day_row(
    day: date,
    closing: BalancePoint | None,
    spend_currency: str | None,
    todays: list[Accrual],
    rises: list[tuple[str, Decimal]],
) -> DailyFigures:
    counted = [accrual for accrual in todays if accrual.currency == spend_currency]
    balance_currency = closing.currency if closing else None
    return DailyFigures(
        day=day,
        closing_balance=closing.amount if closing else None,
        balance_currency=balance_currency,
        top_ups=sum((amount for currency, amount in rises if currency == balance_currency), ZERO),
        spend=sum((accrual.amount for accrual in counted), ZERO),
        spend_currency=spend_currency,
        spend_by_service=_summed(accrual.services for accrual in counted),
        spend_by_operator=_summed(accrual.operators for accrual in counted),
    )


def _summed(mappings: Iterable[Mapping[str, Decimal]]) -> dict[str, str]:
    """Amounts by name added up, as decimal strings by name (the names with nothing left out)."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for amounts in mappings:
        for name, amount in amounts.items():
            totals[name] += amount
    return {name: format_amount(amount) for name, amount in sorted(totals.items()) if amount}
