"""What the portfolio's sort tests share: the ids a statement lists, and PostgreSQL's plan of one (read by block)."""

from __future__ import annotations

from sqlalchemy import text

from webapp.domain.freshness import stale_before
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.queries.portfolio import portfolio_statement
from webapp.queries.portfolio_header import PortfolioParams


def shown(user, params: PortfolioParams, *, paged: bool = False) -> list[int]:
    now = utcnow()
    statement = portfolio_statement(user, params, now, stale_before(now, 3.0), paged=paged)
    return [row.id for row in db.session.execute(statement)]


def plan(statement) -> str:
    compiled = statement.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))


def block(explained: str, heading: str) -> str:
    """The plan lines under `heading` (those indented deeper than it)."""
    lines = explained.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == heading)
    depth = len(lines[start]) - len(lines[start].lstrip())
    inner = lines[start + 1 :]
    end = next((n for n, line in enumerate(inner) if len(line) - len(line.lstrip()) <= depth), len(inner))
    return "\n".join(inner[:end])
