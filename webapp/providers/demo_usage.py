"""The demo simulation's usage per line and month: a weekly pattern, a slow business cycle, daily noise
and occasional spikes, all in closed form.

A line's month total is known from one hash per organisation and month (the cycle's level, a jitter and
maybe a spike), so the balance's history from the epoch costs a hash per month, not a day-by-day
simulation. Only the month being reported is spread over its days, by a noisy weight per line and day
times an organisation-wide busy/quiet factor per day; the spread never changes the month's total.
"""

from __future__ import annotations

import calendar
import hashlib
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

# Services that run around the clock accrue at weekends too; the rest follow the working week.
ALWAYS_ON = frozenset({"Object storage", "Backups", "Load balancer", "Managed database"})
SPIKE_CHANCE = 4_000  # of 65,536: about one line-month in 16 has one spike day
EPOCH_YEAR = 2024


def seeded_rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True, slots=True)
class LineShape:
    """How one usage line moves: thousandths of its weekday level at weekends, and a slow cycle
    (± amplitude thousandths over `period` months, shifted by `phase`) around its base level."""

    weekend: int
    amplitude: int
    period: int
    phase: int


def line_shape(ref: str, index: int, service: str) -> LineShape:
    """Drawn from its own seed, so adding the shape left the rest of each profile as it was."""
    rng = seeded_rng("shape", ref, index)
    weekend = rng.randint(850, 1000) if service in ALWAYS_ON else rng.choice((0, 0, 50, 100, 200, 300))
    return LineShape(weekend, rng.randint(50, 250), rng.randint(6, 24), rng.randint(0, 23))


def expected_days(shape: LineShape, weekdays: int, weekend_days: int) -> Decimal:
    """How many weekdays' worth of usage a line has in such a month at its base level."""
    return Decimal(weekdays) + Decimal(weekend_days * shape.weekend) / 1000


@dataclass(frozen=True, slots=True)
class LinePlan:
    """A line's month in thousandths of a unit: the regular usage, and a spike on one day (or none)."""

    regular: int
    spike: int
    spike_day: int  # 1-based; 0 when there is no spike

    @property
    def total(self) -> int:
        return self.regular + self.spike


def _stream(label: str, ref: str, year: int, month: int, count: int) -> list[int]:
    """`count` deterministic integers in [0, 65535] from ONE hash."""
    raw = hashlib.shake_256(f"{label}|{ref}|{year}|{month}".encode()).digest(2 * count)
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, 2 * count, 2)]


@lru_cache(maxsize=1024)
def weekdays_of(year: int, month: int) -> tuple[bool, ...]:
    return tuple(date(year, month, day).weekday() < 5 for day in range(1, calendar.monthrange(year, month)[1] + 1))


def cycle_level(shape: LineShape, year: int, month: int) -> int:
    """The cycle's level in thousandths: a triangle wave, so neighbouring months differ by a few percent."""
    position = ((year - EPOCH_YEAR) * 12 + month - 1 + shape.phase) % shape.period
    return 1000 - shape.amplitude + 2 * shape.amplitude * abs(2 * position - shape.period) // shape.period


def month_plans(ref: str, year: int, month: int, lines: tuple[tuple[int, LineShape], ...]) -> tuple[LinePlan, ...]:
    """Each line's month from (daily base in thousandths of a unit, shape): level × cycle × jitter
    (±5 %) over the month's weekday-equivalents, plus a spike of 2–8 days' base on one day."""
    flags = weekdays_of(year, month)
    weekdays = sum(flags)
    stream = _stream("month", ref, year, month, 4 * len(lines))
    plans = []
    for i, (base, shape) in enumerate(lines):
        jitter, roll, day, size = stream[4 * i : 4 * i + 4]
        level = base * cycle_level(shape, year, month) // 1000 * (950 + jitter % 101) // 1000
        regular = level * (1000 * weekdays + shape.weekend * (len(flags) - weekdays)) // 1000
        spiked = roll < SPIKE_CHANCE
        spike = level * (2000 + size % 6001) // 1000 if spiked else 0
        plans.append(LinePlan(regular, spike, day % len(flags) + 1 if spiked else 0))
    return tuple(plans)


def day_weights(ref: str, year: int, month: int, shapes: tuple[LineShape, ...]) -> list[list[int]]:
    """Per line, a weight per day of the month: noise 0.6–1.4 × the organisation's busy/quiet factor
    of the day (0.8–1.2) × the weekday pattern."""
    flags = weekdays_of(year, month)
    days = len(flags)
    noise = _stream("noise", ref, year, month, len(shapes) * days + days)
    busy = [800 + value % 401 for value in noise[:days]]
    weights = []
    for i, shape in enumerate(shapes):
        own = noise[days + i * days : days + (i + 1) * days]
        weights.append(
            [
                (600 + value % 801) * factor * (1000 if workday else shape.weekend)
                for value, factor, workday in zip(own, busy, flags, strict=True)
            ]
        )
    return weights


def spread(plan: LinePlan, weights: list[int]) -> list[int]:
    """Cumulative thousandths of a unit through the end of each day (index 0: before the month)."""
    total_weight = sum(weights)
    prefix, running = [0], 0
    for day, weight in enumerate(weights, start=1):
        running += weight
        regular = plan.regular * running // total_weight if total_weight else 0
        prefix.append(regular + (plan.spike if plan.spike_day and day >= plan.spike_day else 0))
    return prefix
