"""What rewriting a summary row costs, on two copies of a dataset at different schema revisions. Not a test.

    createdb -T sorts_c sorts_w12 && createdb -T sorts_c sorts_w13       # copies of a loaded dataset
    flask db downgrade 0012_portfolio_changes                          # on sorts_w12 (DATABASE_URL=…)
    .venv/bin/python -m bench.summary_write_bench postgresql://…/sorts_w12 postgresql://…/sorts_w13

Every collection replaces its organisation's summary row (read_model.refresh: DELETE, then INSERT, in the
collection's transaction), so each index and trigger on organization_summaries costs every collection a
little. For --orgs organisations, each round rewrites each one's summary with its own values, one transaction
per organisation as a collection commits, on each database in turn (the order alternating between rounds, so
drifting machine load hits both alike). Prints the median and p95 of the two statements and of the whole
transaction (with its commit) per database, and the difference of the medians. On a schema with the 7-day
change's base (0015_portfolio_change_base) the summary is written as the write path writes it: with its base,
from the week-ago day's closing balance the write path has in hand (read_model.change_base.with_change_base).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from sqlalchemy import Engine, and_, create_engine, delete, insert, inspect, select

from webapp.domain.week_change import week_ago_day
from webapp.models.types import utcnow
from webapp.read_model.change_base import with_change_base
from webapp.read_model.store import _SUMMARY_FIELDS, DAILY, SUMMARIES


def rows(engine: Engine, count: int) -> list[dict]:
    """The first `count` summaries as write_rows gets them (the derived columns only), with, for the 7-day change's
    base, the closing balance of the week-ago day, which the write path has in hand (read here, untimed)."""
    columns = [SUMMARIES.c.organization_id, *(SUMMARIES.c[name] for name in _SUMMARY_FIELDS)]
    day, daily = week_ago_day(utcnow()), DAILY.alias("week_ago")
    week_ago = and_(daily.c.organization_id == SUMMARIES.c.organization_id, daily.c.day == day)
    statement = select(*columns, daily.c.day.label("week_ago_day"), daily.c.closing_balance.label("week_ago_closing"))
    with engine.connect() as connection:
        found = connection.execute(
            statement.outerjoin_from(SUMMARIES, daily, week_ago).order_by(SUMMARIES.c.organization_id).limit(count)
        )
        return [dict(row._mapping) for row in found]


def has_change_base(engine: Engine) -> bool:
    return any(column["name"] == "change_base_day" for column in inspect(engine).get_columns(SUMMARIES.name))


def rewrite(engine: Engine, summaries: list[dict], statements: list[float], transactions: list[float]) -> None:
    based = has_change_base(engine)
    for found in summaries:
        summary = {key: value for key, value in found.items() if not key.startswith("week_ago_")}
        closings = {found["week_ago_day"]: found["week_ago_closing"]} if found["week_ago_day"] else {}
        start = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(delete(SUMMARIES).where(SUMMARIES.c.organization_id == summary["organization_id"]))
            if based:  # as the write path does: the base from the daily figures in hand (no query)
                summary = with_change_base(connection, summary, closings=closings, complete_from=date.min)
            connection.execute(insert(SUMMARIES), [summary])
            statements.append((time.perf_counter() - start) * 1000)
        transactions.append((time.perf_counter() - start) * 1000)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="database URL of the earlier schema")
    parser.add_argument("after", help="database URL of the later schema")
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    urls = {"before": args.before, "after": args.after}
    engines = {
        name: create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)) for name, url in urls.items()
    }
    data = {name: rows(engine, args.orgs) for name, engine in engines.items()}
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in engines}
    for round_number in range(args.rounds + 1):  # round 0 warms up
        order = list(engines) if round_number % 2 else list(reversed(engines))
        for name in order:
            statements, transactions = ([], []) if round_number == 0 else samples[name]
            rewrite(engines[name], data[name], statements, transactions)
    for name, (statements, transactions) in samples.items():
        print(
            f"{name:6} DELETE+INSERT median {statistics.median(statements):.3f} ms  p95 {p95(statements):.3f} ms;"
            f"  with COMMIT median {statistics.median(transactions):.3f} ms  p95 {p95(transactions):.3f} ms"
        )
    for index, label in ((0, "DELETE+INSERT"), (1, "transaction")):
        before, after = (statistics.median(samples[name][index]) for name in ("before", "after"))
        print(f"{label}: after − before = {after - before:+.3f} ms per summary write ({after / before - 1:+.1%})")
    for engine in engines.values():
        engine.dispose()


if __name__ == "__main__":
    main()
