"""Paging arithmetic shared by paged lists."""


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` rows (at least one, so an empty list still has page 1)."""
    return max(1, -(-total // per_page))
