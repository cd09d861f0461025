"""Paging arithmetic and the search pattern shared by paged, searchable lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select

from webapp.extensions import db

T = TypeVar("T")


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` rows (at least one, so an empty list still has page 1)."""
    return max(1, -(-total // per_page))


def like_pattern(text: str) -> str:
    """A case-insensitive "contains" pattern for LIKE … ESCAPE '\\' (the user's % and _ are literal)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching(text: str, *columns: Any) -> ColumnElement[bool]:
    """Any of `columns` contains `text`, ignoring case."""
    pattern = like_pattern(text)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its rows, the total, and the page number actually shown (clamped to the last)."""

    rows: Sequence[T]
    total: int
    page: int
    pages: int
    per_page: int


def page_of(statement: Select, page: int, per_page: int) -> Page:
    """Rows of `statement` (already ordered) on page `page`; past the end shows the last page."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    pages = page_count(total, per_page)
    page = min(max(1, page), pages)
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows, total, page, pages, per_page)
