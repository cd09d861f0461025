"""Months written YYYY-MM: the one reading shared by the dashboard's month picker and the CLI's --month."""

from __future__ import annotations

import re

MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")
YEARS = (2000, 2999)


def parse_month(text: str) -> tuple[int, int] | None:
    """(year, month) for 'YYYY-MM' with a month 01–12 and a year in YEARS; None for anything else."""
    match = MONTH_TEXT.fullmatch(text)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12 else None
