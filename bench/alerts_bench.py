"""Benchmark: what alert evaluation adds to a collection job (issue 15 §8). Not a test: docs/performance.md.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.alerts_bench

On a scratch PostgreSQL database (created and dropped): N organisations (half with a low-balance threshold),
each collected once to start. Then R rounds; in each round every organisation is collected once with the
write path as shipped (alerts evaluated after the read model) and once with the evaluation call replaced by
a no-op, in alternating order, the provider answering in-process with a moving balance that crosses the
thresholds and zero (so states really change). The job is `collect_organization` (one transaction: run,
snapshot, state, read model, alerts, commit). `--latency-ms` makes the provider answer after that long, as
bench/cycle.py's fake provider does (50 ms): a job's time as it runs. The default, 0, is the worst case for
the ratio, since a real job also waits for the provider. The alternating order makes every evaluation see
two steps of movement, so transitions are more frequent than in steady collection: again the worst case.
Prints median and p95 per job and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import datetime
from decimal import Decimal

from flask_migrate import upgrade

import webapp.collection.ledger_writer as ledger_writer
from bench.cycle import scratch_database
from webapp import create_app
from webapp.collection.rules import collect_organization
from webapp.extensions import db
from webapp.models import AlertEvent, Organization
from webapp.models.collection import CollectionKind
from webapp.providers import BalanceReading


class MovingBalance:
    """Each organisation's balance walks down through its threshold and zero, then is topped up."""

    name = "bench"

    def __init__(self, latency: float = 0.0) -> None:
        self.step = 0
        self.latency = latency

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        if self.latency:
            time.sleep(self.latency)  # a remote provider's answer time, as bench/cycle.py's fake provider
        position = (self.step + int(account_ref.rsplit("-", 1)[1])) % 12
        return BalanceReading(Decimal(150 - 25 * position) + Decimal("0.37"), "EUR")

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime):
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--latency-ms", type=int, default=0, help="provider answer time (0: the worst case)")
    args = parser.parse_args()
    url, drop = scratch_database(os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    os.environ.update(DATABASE_URL=url, ACCOUNTDESK_ENV="development")
    app = create_app()
    shipped = ledger_writer.after_collection
    timings: dict[str, list[float]] = {"with alerts": [], "without": []}
    try:
        with app.app_context():
            upgrade()
            for n in range(args.orgs):
                threshold = Decimal(100) if n % 2 else None
                db.session.add(
                    Organization(name=f"Bench {n}", provider_account_ref=f"bench-{n}", low_balance_threshold=threshold)
                )
            db.session.commit()
            ids = list(db.session.scalars(db.select(Organization.id)))
            provider = MovingBalance(args.latency_ms / 1000)
            for organization_id in ids:
                collect_organization(CollectionKind.BALANCES, organization_id, provider, trigger="bench")
            for round_number in range(args.rounds):
                order = ["with alerts", "without"] if round_number % 2 == 0 else ["without", "with alerts"]
                for variant in order:
                    ledger_writer.after_collection = shipped if variant == "with alerts" else (lambda *_a, **_k: [])
                    provider.step += 1
                    for organization_id in ids:
                        started = time.perf_counter()
                        collect_organization(CollectionKind.BALANCES, organization_id, provider, trigger="bench")
                        timings[variant].append((time.perf_counter() - started) * 1000)
                print(f"round {round_number + 1}/{args.rounds} done", flush=True)
            events = db.session.scalar(db.select(db.func.count()).select_from(AlertEvent))
            db.session.remove()
            db.engine.dispose()
    finally:
        ledger_writer.after_collection = shipped
        drop()
    with_alerts, without = timings["with alerts"], timings["without"]
    print(
        f"{args.orgs} organisations x {args.rounds} rounds per variant, provider latency {args.latency_ms} ms; "
        f"{events} alert events recorded"
    )
    for name, values in timings.items():
        print(f"{name:12} median {statistics.median(values):6.2f} ms  p95 {percentile(values, 0.95):6.2f} ms per job")
    ratio = statistics.median(with_alerts) / statistics.median(without)
    print(f"ratio (median with / without): {ratio:.3f}  -> evaluation adds {100 * (ratio - 1):.1f} % (target <= 10 %)")


if __name__ == "__main__":
    main()
