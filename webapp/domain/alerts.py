"""Alert rules and their state machine (SPEC §10): pure values, no database.

Each (organisation, rule) is ok or firing at a level. `next_level` says where a rule goes from where it
is, with hysteresis: a rule that fires resolves only past a band (low balance above the threshold plus
a share of it, runway past the level plus a margin), so a value wobbling around a threshold makes no
storm. `transition` names the event a change of level makes (none when the level stays): triggered
(ok → firing), escalated (firing → a higher level) or resolved (firing → ok). A firing rule keeps its
highest level until it resolves: an improving runway does not step it down, so the same escalation can
never be announced twice in one episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum


class Rule(StrEnum):
    OVERDRAWN = "overdrawn"
    LOW_BALANCE = "low_balance"
    RUNWAY = "runway"
    STALE = "stale"
    FAILING = "failing"
    ANOMALY = "anomaly"


RULE_LABELS = {
    Rule.OVERDRAWN: "Overdrawn",
    Rule.LOW_BALANCE: "Low balance",
    Rule.RUNWAY: "Runs out soon",
    Rule.STALE: "Stale data",
    Rule.FAILING: "Collection failing",
    Rule.ANOMALY: "Spend anomaly",
}


# The webhook event family of each rule (docs/webhooks.md); an event type is "<family>.<transition>".
EVENT_FAMILIES = {
    Rule.OVERDRAWN: "balance.overdrawn",
    Rule.LOW_BALANCE: "balance.low",
    Rule.RUNWAY: "balance.runway",
    Rule.STALE: "collection.stale",
    Rule.FAILING: "collection.failing",
    Rule.ANOMALY: "spend.anomaly",
}


class Level(IntEnum):
    OK = 0
    WARNING = 1
    HIGH = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Transition(StrEnum):
    TRIGGERED = "triggered"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class AlertSettings:
    """The defaults (configuration) with an organisation's overrides applied."""

    low_balance_band: Decimal = Decimal("0.10")
    runway_days: tuple[int, int, int] = (14, 7, 2)  # warning, high, critical
    runway_margin_days: int = 2
    failing_streak: int = 3
    muted: frozenset[Rule] = frozenset()

    def __post_init__(self) -> None:
        warning, high, critical = self.runway_days
        if not warning > high > critical > 0:
            raise ValueError("runway days must be three decreasing positive numbers, e.g. 14, 7, 2")
        if self.low_balance_band < 0 or self.runway_margin_days < 0 or self.failing_streak < 1:
            raise ValueError("bands and margins must not be negative; the failing streak is at least 1")


@dataclass(frozen=True)
class Reading:
    """What the rules look at for one organisation, from its summary and forecast.

    runway_days: the depletion forecast's expected days until the balance reaches zero; None when
    there is no depletion in sight (no spend). runway_unknown: the forecast could not be made (too
    little history, overdrawn): the runway rule then holds its state rather than guess.
    """

    balance: Decimal | None = None
    threshold: Decimal | None = None
    runway_days: Decimal | None = None
    runway_unknown: bool = False
    stale: bool = False
    failure_streak: int = 0
    anomaly_open: bool = False


def next_level(rule: Rule, reading: Reading, current: Level, settings: AlertSettings) -> Level:
    """Where `rule` goes from `current` given `reading` (hysteresis included)."""
    if rule is Rule.OVERDRAWN:
        return Level.CRITICAL if reading.balance is not None and reading.balance < 0 else Level.OK
    if rule is Rule.LOW_BALANCE:
        return _low_balance(reading, current, settings)
    if rule is Rule.RUNWAY:
        return _runway(reading, current, settings)
    if rule is Rule.STALE:
        return Level.WARNING if reading.stale else Level.OK
    if rule is Rule.FAILING:
        return _failing(reading, current, settings)
    return Level.WARNING if reading.anomaly_open else Level.OK


def _low_balance(reading: Reading, current: Level, settings: AlertSettings) -> Level:
    balance, threshold = reading.balance, reading.threshold
    if balance is None or threshold is None:
        return Level.OK
    if balance < threshold:
        return Level.WARNING
    if current is Level.OK:
        return Level.OK
    resolve_at = threshold + abs(threshold) * settings.low_balance_band
    return Level.OK if balance >= resolve_at else current


def _runway(reading: Reading, current: Level, settings: AlertSettings) -> Level:
    if reading.runway_unknown:
        return current
    days = reading.runway_days
    warning, high, critical = settings.runway_days
    if days is None:
        return Level.OK
    wanted = (
        Level.CRITICAL
        if days <= critical
        else Level.HIGH
        if days <= high
        else Level.WARNING
        if days <= warning
        else Level.OK
    )
    if wanted > current:
        return wanted
    if current is Level.OK:
        return Level.OK
    return Level.OK if days > warning + settings.runway_margin_days else current


def _failing(reading: Reading, current: Level, settings: AlertSettings) -> Level:
    if reading.failure_streak >= settings.failing_streak:
        return Level.WARNING
    return current if current is not Level.OK and reading.failure_streak > 0 else Level.OK


def transition(current: Level, new: Level) -> Transition | None:
    """The event a move from `current` to `new` makes; None when nothing happened worth one."""
    if new == current:
        return None
    if current is Level.OK:
        return Transition.TRIGGERED
    if new is Level.OK:
        return Transition.RESOLVED
    return Transition.ESCALATED if new > current else None


def evaluate(
    reading: Reading, current: dict[Rule, Level], settings: AlertSettings
) -> dict[Rule, tuple[Level, Transition]]:
    """Every rule's change for one organisation: {rule: (new level, transition)}; unchanged rules and
    muted rules are left out (a muted rule keeps its state until unmuted)."""
    changes: dict[Rule, tuple[Level, Transition]] = {}
    for rule in Rule:
        if rule in settings.muted:
            continue
        was = current.get(rule, Level.OK)
        now = next_level(rule, reading, was, settings)
        kind = transition(was, now)
        if kind is not None:
            changes[rule] = (now, kind)
    return changes
