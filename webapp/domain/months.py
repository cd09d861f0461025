"""Months: the provider's half-open UTC intervals, written YYYY-MM. One type for every place a month appears."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple

MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
YEARS = (2000, 2999)


class Month(NamedTuple):
    """A calendar month; a tuple (year, month), so it unpacks and compares like one."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """The month 'YYYY-MM' names (month 01–12, year in YEARS); None for anything else."""
        match = MONTH_TEXT.fullmatch(text)
        if match is None:
            return None
        year, month = int(match.group(1)), int(match.group(2))
        return cls(year, month) if YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12 else None

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The UTC month that contains moment."""
        utc = moment.astimezone(UTC)
        return cls(utc.year, utc.month)

    @classmethod
    def between(cls, start: datetime, end: datetime) -> list[Month]:
        """Every month that the interval [start, end] touches, oldest first."""
        first, last = cls.of(start), cls.of(end)
        return [first.shift(step) for step in range(first.months_until(last) + 1)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def key(self) -> str:
        return str(self)

    def shift(self, delta: int) -> Month:
        index = self.year * 12 + self.month - 1 + delta
        return Month(index // 12, index % 12 + 1)

    @property
    def previous(self) -> Month:
        return self.shift(-1)

    @property
    def next(self) -> Month:
        return self.shift(1)

    def months_until(self, other: Month) -> int:
        """How many months other lies after self (negative when before)."""
        return (other.year * 12 + other.month) - (self.year * 12 + self.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the month (the interval is half-open)."""
        return self.next.start

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def parse_month(text: str) -> Month | None:
    """Month.parse, for callers that read a user's --month or ?month=."""
    return Month.parse(text)
