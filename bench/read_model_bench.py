"""Read-model benchmark (issue 12 §5): server time of the portfolio (every sort, both directions, every
filter, a search), the organisation page and the cost page on three datasets, as ratios to the smallest
in one run; and the storage per organisation-year of the ledger and of the read model. Not a test.

    .venv/bin/python -m bench.read_model_bench                 # loads what is missing first (bench/datasets.py)
    .venv/bin/python -m bench.read_model_bench --only-loaded   # measure the datasets already loaded, load nothing
    .venv/bin/python -m bench.read_model_bench --reload        # drop and load all three again

Datasets (bench/datasets.py): accountdesk_bench_a (10 organisations × 7 days), accountdesk_bench_b
(1,000 × 365) and accountdesk_bench_c (10,000 × 7) on the local PostgreSQL. Server time is measured
in-process with Flask's test client and a signed-in admin (routing, session, queries, rendering, gzip;
no network), as in the dashboard benchmark: --warmup rounds, then --runs rounds; in each round every
variant is requested once on every dataset, one after the other, so drifting machine load hits all
datasets alike. The sort and filter names are read from the code at run time (SORTS and, when present,
FILTERS in webapp.queries.portfolio or webapp.dashboard.portfolio), so new ones are measured as they land.
Prints a Markdown table; writes JSON to bench/results/read_model-<time>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

from bench.dashboard_bench import GZIP, prepare, timed_ms
from bench.datasets import DATASETS, Dataset, comment, is_loaded, load, psql

SEARCH = "brightwater"  # one of the 16 first names of the demo organisations: found on every dataset
TARGETS = {"portfolio": 1.5, "page": 2.0}
LEDGER = ("balance_snapshots", "cost_snapshots")
READ_MODEL = ("organization_summaries", "organization_daily_figures")


def names_in_code(constant: str) -> tuple[str, ...]:
    """SORTS / FILTERS as the loaded code defines them (empty when it does not define them yet)."""
    for module in ("webapp.queries.portfolio", "webapp.dashboard.portfolio"):
        value = getattr(import_module(module), constant, None)
        if value:
            return tuple(value)
    return ()


# The header is reused while nothing changed (webapp/queries/snapshot_cache.py): this variant forgets it
# before each request, so it measures the first request after a change (a collection, an edit).
RECOMPUTED = "portfolio as it opens, header recomputed"
# A search is measured as a new search: its header (the counts of what it finds) computed, as for each new text
# typed into the box. (Before this was said, a full run did so by accident, since the header was forgotten for
# RECOMPUTED once per round, but `--only search` measured a kept header.)
SEARCH_VARIANT = f"portfolio search “{SEARCH}”"
FRESH_HEADER = frozenset({RECOMPUTED, SEARCH_VARIANT})


def forget_kept_headers() -> None:
    kept = getattr(import_module("webapp.queries.portfolio_header"), "KEPT", None)
    if kept is not None:
        kept.clear()


def portfolio_variants() -> dict[str, str]:
    variants = {"portfolio as it opens": "/", RECOMPUTED: "/"}
    for sort in names_in_code("SORTS"):
        for direction in ("asc", "desc"):
            variants[f"portfolio sort={sort} {direction}"] = "/?" + urlencode({"sort": sort, "dir": direction})
    for name in names_in_code("FILTERS"):
        variants[f"portfolio filter={name}"] = "/?" + urlencode({"filter": name})
    variants[SEARCH_VARIANT] = "/?" + urlencode({"q": SEARCH})
    return variants


def page_variants(paths: dict[str, str]) -> dict[str, str]:
    """The organisation with the most balance movements and the month with the most usage lines."""
    year_page = paths["organisation page (1 y)"]
    return {
        "organisation page (default range)": year_page.split("?")[0],
        "organisation page (1 y)": year_page,
        "cost page (most usage lines)": paths["cost page (most usage lines)"],
    }


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(datasets: list[Dataset], runs: int, warmup: int, only: str | None = None) -> dict:
    prepared = {d.key: prepare(d.url) for d in datasets}
    portfolio = portfolio_variants()
    paths = {key: {**portfolio, **page_variants(p)} for key, (_, _, p) in prepared.items()}
    variants = [variant for variant in paths[datasets[0].key] if only is None or only in variant]
    samples: dict[str, dict[str, list[float]]] = {v: {d.key: [] for d in datasets} for v in variants}
    for round_number in range(warmup + runs):
        for variant in variants:
            for dataset in datasets:
                if variant in FRESH_HEADER:
                    forget_kept_headers()
                elapsed = timed_ms(prepared[dataset.key][1], paths[dataset.key][variant], GZIP)
                if round_number >= warmup:
                    samples[variant][dataset.key].append(elapsed)
            for dataset in datasets if variant in FRESH_HEADER else ():  # the others see the header kept
                timed_ms(prepared[dataset.key][1], "/", GZIP)
        print(f"round {round_number + 1}/{warmup + runs} done", file=sys.stderr, flush=True)
    for app, _, _ in prepared.values():
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()
    return {
        variant: {
            "kind": "portfolio" if variant in portfolio else "page",
            "paths": {key: paths[key][variant] for key in paths},
            "median_ms": {key: statistics.median(values) for key, values in by_dataset.items()},
            "p95_ms": {key: percentile(values, 0.95) for key, values in by_dataset.items()},
        }
        for variant, by_dataset in samples.items()
    }


def storage(dataset: Dataset) -> dict:
    """Bytes (pg_total_relation_size: table, indexes, TOAST) and rows of each table; MB per organisation-year."""
    org_years = dataset.orgs * dataset.days / 365
    tables = {}
    for table in LEDGER + READ_MODEL:
        size, rows = psql(
            f"SELECT pg_total_relation_size('{table}') || ' ' || (SELECT count(*) FROM {table})", dataset.database
        ).split()
        tables[table] = {"bytes": int(size), "rows": int(rows), "mb_per_org_year": int(size) / 1e6 / org_years}
    return {"organisation_years": org_years, "tables": tables}


def ratio_cell(row: dict, key: str, base: str = "a") -> str:
    if key not in row["median_ms"] or base not in row["median_ms"]:
        return "—"
    ratio = row["median_ms"][key] / row["median_ms"][base]
    flag = "" if ratio <= TARGETS[row["kind"]] else " ✗"
    return f"{ratio:.2f}×{flag}"


def timing_table(result: dict, keys: list[str]) -> list[str]:
    others = [k for k in keys if k != "a"]
    columns = [f"({k}) median / p95" for k in keys] + [f"({k})/(a)" for k in others]
    lines = ["| variant | " + " | ".join(columns) + " | target |", "|---|" + "---:|" * len(columns) + "---|"]
    for variant, row in result["timings"].items():
        cells = [f"{row['median_ms'][k]:.1f} / {row['p95_ms'][k]:.1f} ms" for k in keys]
        cells += [ratio_cell(row, k) for k in others]
        lines.append(f"| {variant} | " + " | ".join(cells) + f" | ≤ {TARGETS[row['kind']]}× |")
    return lines


def storage_table(result: dict) -> list[str]:
    if "b" not in result["storage"]:
        return ["", "(storage: dataset (b) not measured in this run)"]
    lines = ["", "| tables (dataset (b), 1,000 organisation-years) | rows | size | MB per organisation-year |"]
    lines.append("|---|---:|---:|---:|")
    for group, tables in (("ledger", LEDGER), ("read model", READ_MODEL)):
        rows = {t: result["storage"]["b"]["tables"][t] for t in tables}
        for table, row in rows.items():
            lines.append(f"| {table} | {row['rows']:,} | {row['bytes'] / 1e6:,.1f} MB | {row['mb_per_org_year']:.3f} |")
        total = sum(row["mb_per_org_year"] for row in rows.values())
        lines.append(f"| **{group} total** | | | **{total:.3f}** |")
    return lines


def report(result: dict) -> str:
    keys = [d["key"] for d in result["datasets"]]
    lines = ["| dataset | database | loaded |", "|---|---|---|"]
    lines += [f"| {d['label']} | `{d['database']}` | {d['comment']} |" for d in result["datasets"]]
    lines += ["", *timing_table(result, keys), *storage_table(result)]
    lines += [
        "",
        f"✗ = over target. {result['runs']} runs after {result['warmup']} warm-up rounds; "
        f"load average {result['load_before']} before, {result['load_after']} after; commit {result['commit']}.",
    ]
    return "\n".join(lines)


def chosen_datasets(args: argparse.Namespace) -> list[Dataset]:
    datasets = [DATASETS[key] for key in args.datasets]
    if args.only_loaded:
        return [d for d in datasets if is_loaded(d)]
    for dataset in datasets:
        load(dataset, reload=args.reload)
    return datasets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=sorted(DATASETS))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="drop and load the datasets again first")
    parser.add_argument("--only-loaded", action="store_true", help="skip datasets not (fully) loaded; load nothing")
    parser.add_argument("--only", metavar="TEXT", help="measure only the variants whose name contains TEXT")
    args = parser.parse_args()
    datasets = chosen_datasets(args)
    if not datasets or datasets[0].key != "a":
        raise SystemExit("dataset (a) is the baseline of every ratio: load it first (python -m bench.datasets a)")
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True).stdout.strip()  # noqa: S603
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    result = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "runs": args.runs,
        "warmup": args.warmup,
        "load_before": load_before,
        "datasets": [{"key": d.key, "label": d.label, "database": d.database, "comment": comment(d)} for d in datasets],
        "timings": measure(datasets, args.runs, args.warmup, args.only),
        "storage": {d.key: storage(d) for d in datasets},
    }
    result["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    out = Path(__file__).parent / "results" / f"read_model-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(report(result))
    print(f"\nJSON: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
