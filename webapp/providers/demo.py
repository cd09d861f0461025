"""The `demo` provider: a deterministic simulation keyed by the provider reference.

Every answer is a pure function of (reference, moment), so replaying history
gives the same ledger every time. Usage accrues between 08:00 and 20:00 UTC and
stays flat at night, so skip-unchanged really happens; its shape (a weekly
pattern, a slow cycle, daily noise, occasional spikes) is demo_usage.py's. Some
organisations are idle (no plan, no usage: "no costs yet" forever). Top-ups
arrive on a fixed cadence per organisation, so some run low.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from webapp.providers.base import BalanceReading, CostReport, Fee, ProviderError, UsageLine
from webapp.providers.demo_usage import (
    LinePlan,
    LineShape,
    day_weights,
    expected_days,
    line_shape,
    month_plans,
    seeded_rng,
    spread,
    weekdays_of,
)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)  # every simulated account opens here
WORK_START_H, WORK_HOURS = 8, 12
SUBSCRIPTION_HOUR = 6
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
AMOUNT_Q = Decimal("0.0001")

SERVICES = (  # (service, unit, unit price)
    ("Compute", "hour", Decimal("0.0420")),
    ("Object storage", "GB", Decimal("0.0230")),
    ("Data transfer", "GB", Decimal("0.0850")),
    ("Managed database", "hour", Decimal("0.1250")),
    ("Load balancer", "hour", Decimal("0.0250")),
    ("SMS", "message", Decimal("0.0075")),
    ("Voice", "minute", Decimal("0.0120")),
    ("API requests", "1k requests", Decimal("0.0004")),
    ("Backups", "GB", Decimal("0.0100")),
)
OPERATORS = (
    "Ana Lima",
    "Jonas Berg",
    "Priya Nair",
    "Tomás Ortega",
    "Mei Chen",
    "Lukas Novak",
    "Aisha Bello",
    "Sven Olsen",
    "Chloé Martin",
    "Kenji Sato",
    "Olga Petrova",
    "Omar Haddad",
)
CURRENCIES = ("EUR",) * 8 + ("USD", "GBP")


@dataclass(frozen=True, slots=True)
class _LineSpec:
    service: str
    operator_id: str | None
    operator_name: str | None
    unit: str
    price: Decimal
    daily_base: Decimal
    shape: LineShape


@dataclass(frozen=True, slots=True)
class _Profile:
    currency: str
    idle: bool
    subscription: Decimal
    lines: tuple[_LineSpec, ...]
    opening: Decimal
    topup_every_days: int
    topup_amount: Decimal
    gap_months: int  # every n-th month the usage fee exceeds the lines (0: never)


@lru_cache(maxsize=4096)
def profile(ref: str) -> _Profile:
    rng = seeded_rng("profile", ref)
    idle = rng.random() < 0.12
    currency = rng.choice(CURRENCIES)
    services = rng.sample(SERVICES, rng.randint(4, 8))
    team = rng.sample(OPERATORS, rng.randint(2, 5))
    scale = Decimal(rng.choice((1, 2, 5, 10, 25)))
    lines: list[_LineSpec] = []
    for service, unit, price in services:
        for name in rng.sample(team, rng.randint(1, min(3, len(team)))):
            op_id = "op-" + hashlib.sha256(f"{ref}|{name}".encode()).hexdigest()[:8]
            shape = line_shape(ref, len(lines), service)
            lines.append(_LineSpec(service, op_id, name, unit, price, _daily_qty(rng, price, scale), shape))
        if rng.random() < 0.4:  # platform usage nobody is attributed for
            shape = line_shape(ref, len(lines), service)
            lines.append(_LineSpec(service, None, None, unit, price, _daily_qty(rng, price, scale), shape))
    subscription = Decimal(rng.choice((0, 29, 49, 99, 199))) if not idle else Decimal(0)
    monthly = sum(spec.daily_base * spec.price * expected_days(spec.shape, 22, 8) for spec in lines) + subscription
    every = rng.choice((14, 21, 30, 30, 45, 60))
    # Top-ups cover 85–110 % of what the period costs, so some accounts drift low.
    cover = Decimal(rng.choice(("0.85", "0.95", "1.0", "1.05", "1.1")))
    return _Profile(
        currency=currency,
        idle=idle,
        subscription=subscription,
        lines=tuple(lines),
        opening=(monthly * Decimal(rng.uniform(1.5, 4))).quantize(CENT) + 500,
        topup_every_days=every,
        topup_amount=Decimal(0) if idle else (monthly * every / 30 * cover).quantize(Decimal(10)),
        gap_months=rng.choice((0, 0, 2, 3)),
    )


def _daily_qty(rng: random.Random, price: Decimal, scale: Decimal) -> Decimal:
    """A daily quantity worth roughly 0.5–40 currency units times the org's scale."""
    target = Decimal(str(round(rng.uniform(0.5, 40), 2))) * scale / 10
    return (target / price).quantize(MILLI)


@dataclass(frozen=True, slots=True)
class _Month:
    first: date
    days: int
    line_prefix: tuple[tuple[Decimal, ...], ...]  # per line: quantity through end of day d (index d)
    line_daily: tuple[tuple[Decimal, ...], ...]


def _plans(ref: str, year: int, month: int) -> tuple[LinePlan, ...]:
    prof = profile(ref)
    lines = tuple((int(spec.daily_base.scaleb(3)), spec.shape) for spec in prof.lines)
    return month_plans(ref, year, month, lines)


@lru_cache(maxsize=8192)
def _quantities(ref: str, year: int, month: int) -> tuple[int, ...]:
    """Each line's usage over the whole month, in thousandths of a unit (demo_usage: closed form)."""
    if profile(ref).idle:
        return (0,) * len(profile(ref).lines)
    return tuple(plan.total for plan in _plans(ref, year, month))


@lru_cache(maxsize=512)
def _month(ref: str, year: int, month: int) -> _Month:
    """The month's quantities spread over its days (integer thousandths inside, Decimal at the edge);
    through the last day each line has used its total."""
    prof = profile(ref)
    plans = _plans(ref, year, month)
    weights = day_weights(ref, year, month, tuple(spec.shape for spec in prof.lines))
    daily_all, prefix_all = [], []
    for plan, line_weights in zip(plans, weights, strict=True):
        prefix = [Decimal(0 if prof.idle else part).scaleb(-3) for part in spread(plan, line_weights)]
        prefix_all.append(tuple(prefix))
        daily_all.append((Decimal(0), *(prefix[d] - prefix[d - 1] for d in range(1, len(prefix)))))
    return _Month(date(year, month, 1), len(weekdays_of(year, month)), tuple(prefix_all), tuple(daily_all))


def _day_fraction(moment: datetime) -> Decimal:
    minutes = (moment.hour - WORK_START_H) * 60 + moment.minute
    return min(max(Decimal(minutes) / (WORK_HOURS * 60), Decimal(0)), Decimal(1))


def _report(ref: str, year: int, month: int, as_of: datetime | None) -> CostReport | None:
    """Costs of the month as of a moment inside it (None: the whole month)."""
    if as_of is None:
        return _report_at(ref, year, month, _month(ref, year, month).days, Decimal(1), True)
    billed = as_of.day > 1 or as_of.hour >= SUBSCRIPTION_HOUR
    return _report_at(ref, year, month, as_of.day, _day_fraction(as_of), billed)


@lru_cache(maxsize=4096)
def _report_at(ref: str, year: int, month: int, day: int, fraction: Decimal, billed: bool) -> CostReport | None:
    """Memoised on what the answer depends on, so flat nights and weekends cost nothing."""
    prof = profile(ref)
    data = _month(ref, year, month)
    lines = []
    for spec, prefix, daily in zip(prof.lines, data.line_prefix, data.line_daily, strict=True):
        qty = (prefix[day - 1] + daily[day] * fraction).quantize(MILLI)
        if qty:
            lines.append(
                UsageLine(
                    spec.service,
                    spec.operator_id,
                    spec.operator_name,
                    qty,
                    spec.unit,
                    (qty * spec.price).quantize(AMOUNT_Q),
                )
            )
    return _with_fees(prof, month, tuple(lines), [line.amount for line in lines], billed)


def _with_fees(
    prof: _Profile, month: int, lines: tuple[UsageLine, ...], amounts: list[Decimal], billed: bool
) -> CostReport | None:
    """The report with its fees: the subscription once billed, the usage (more than the lines
    itemise in some months)."""
    fees = []
    if prof.subscription and billed:
        fees.append(Fee("subscription", "Monthly subscription", prof.subscription))
    if amounts:
        usage = sum(amounts, Decimal(0))
        if prof.gap_months and month % prof.gap_months == 0:
            usage += (usage * Decimal("0.015")).quantize(CENT)  # the provider bills more than it itemises
        fees.append(Fee("usage", "Usage", usage))
    if not fees:
        return None
    total = sum((fee.amount for fee in fees), Decimal(0))
    return CostReport(prof.currency, total, tuple(fees), lines)


@lru_cache(maxsize=8192)
def _full_month_total(ref: str, year: int, month: int) -> Decimal:
    """What the whole month cost, straight from the line totals (equal to the last report's)."""
    prof = profile(ref)
    amounts = [
        (Decimal(quantity).scaleb(-3) * spec.price).quantize(AMOUNT_Q)
        for spec, quantity in zip(prof.lines, _quantities(ref, year, month), strict=True)
        if quantity
    ]
    report = _with_fees(prof, month, (), amounts, True)
    return report.total if report else Decimal(0)


def _topups_until(prof: _Profile, moment: datetime) -> Decimal:
    """Top-ups land at 10:00 UTC every `topup_every_days` days after the epoch."""
    first = EPOCH + timedelta(days=prof.topup_every_days, hours=10)
    if moment < first:
        return Decimal(0)
    count = (moment - first) // timedelta(days=prof.topup_every_days) + 1
    return prof.topup_amount * count


@lru_cache(maxsize=8192)
def _spent_before(ref: str, year: int, month: int) -> Decimal:
    """Everything billed in the months from the epoch up to, not including, (year, month)."""
    if (year, month) <= (EPOCH.year, EPOCH.month):
        return Decimal(0)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    return _spent_before(ref, *previous) + _full_month_total(ref, *previous)


class DemoProvider:
    name = "demo"

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        if as_of < EPOCH:
            raise ProviderError(f"the demo simulation starts at {EPOCH.isoformat()}")
        prof = profile(account_ref)
        spent = _spent_before(account_ref, as_of.year, as_of.month)
        current = _report(account_ref, as_of.year, as_of.month, as_of)
        if current:
            spent += current.total
        return BalanceReading(prof.opening + _topups_until(prof, as_of) - spent, prof.currency)

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime) -> CostReport | None:
        if (year, month) > (as_of.year, as_of.month) or as_of < EPOCH:
            return None
        if (year, month) < (as_of.year, as_of.month):
            return _report(account_ref, year, month, None)
        return _report(account_ref, year, month, as_of)
