"""Dashboard benchmark (issue 5 §8): server time of three pages on a large and a small dataset, and
the bytes of a first load and of a month-picker swap. A script, not a test.

    bench/load.sh    # creates and fills accountdesk_bench (1,000 × 365 d) and accountdesk_bench_small (10 × 7 d)
    .venv/bin/python bench/dashboard_bench.py \\
        --large postgresql://postgres@127.0.0.1:5432/accountdesk_bench \\
        --small postgresql://postgres@127.0.0.1:5432/accountdesk_bench_small

Server time is measured in-process with Flask's test client (routing, queries, rendering,
compression; no network), as the median of --runs requests after --warmup requests, alternating
between the two datasets so that both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text

from webapp import create_app
from webapp.extensions import db
from webapp.models import BalanceSnapshot, User
from webapp.models.types import utcnow
from webapp.services.users import create_user

BENCH_EMAIL = "bench-admin@example.com"
BENCH_PASSWORD = "bench-password-not-secret-0123456789"  # noqa: S105 - a local benchmark database only
GZIP = {"Accept-Encoding": "gzip"}


def make_app(url: str):
    environ = {"ACCOUNTDESK_ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp()}
    return create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}, environ=environ)


def ensure_user() -> None:
    if db.session.scalar(select(User.id).where(User.email == BENCH_EMAIL)) is None:
        create_user(email=BENCH_EMAIL, role="admin", password=BENCH_PASSWORD)
        db.session.commit()


def targets() -> dict[str, str]:
    """The portfolio, the organisation with the longest history (1 y), the month with the most usage lines."""
    org_id = db.session.scalar(
        select(BalanceSnapshot.organization_id)
        .group_by(BalanceSnapshot.organization_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    now = utcnow()  # the current month, or the latest with costs (a dataset loaded before the month began)
    latest = db.session.execute(
        text("SELECT max(year * 12 + month - 1) FROM cost_snapshots WHERE year * 12 + month <= :now"),
        {"now": now.year * 12 + now.month},
    ).scalar_one()
    row = db.session.execute(
        text(
            "SELECT organization_id, year, month FROM cost_snapshots WHERE year = :y AND month = :m "
            "ORDER BY json_array_length(usage_lines::json) DESC, organization_id LIMIT 1"
        ),
        {"y": latest // 12, "m": latest % 12 + 1},
    ).first()
    month = f"{row.year:04d}-{row.month:02d}"
    return {
        "portfolio": "/",
        "portfolio sorted by runway": "/?sort=runway",
        "organisation page (1 y)": f"/orgs/{org_id}?range=1y",
        "cost page (most usage lines)": f"/orgs/{row.organization_id}/costs?month={month}",
    }


def timed_ms(client, path: str, headers: dict) -> float:
    start = time.perf_counter()
    response = client.get(path, headers=headers)
    response.get_data()
    assert response.status_code == 200, path
    return (time.perf_counter() - start) * 1000


def interleaved_medians(pairs: list[tuple], runs: int, warmup: int, headers: dict) -> list[float]:
    """Median time of each (client, path), measured alternately so that both datasets see the
    same machine load (other processes on a shared machine otherwise dominate the ratio)."""
    samples: list[list[float]] = [[] for _ in pairs]
    for round_number in range(warmup + runs):
        for index, (client, path) in enumerate(pairs):
            elapsed = timed_ms(client, path, headers)
            if round_number >= warmup:
                samples[index].append(elapsed)
    return [statistics.median(values) for values in samples]


def first_load_bytes(client, path: str) -> dict[str, int]:
    """Gzipped bytes of the HTML and every stylesheet and script it links."""
    page = client.get(path, headers=GZIP)
    sizes = {"html": len(page.data)}
    html = client.get(path).get_data(as_text=True)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', html):
        with client.get(asset.replace("&amp;", "&"), headers=GZIP) as response:
            sizes[asset.split("?")[0].rsplit("/", 1)[1]] = len(response.data)
    return sizes


def prepare(url: str):
    """(app, signed-in client, paths) for one dataset."""
    app = make_app(url)
    with app.app_context():
        ensure_user()
        paths = targets()
    client = app.test_client()
    client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD})
    return app, client, paths


def measure(large_url: str, small_url: str, runs: int, warmup: int) -> dict:
    datasets = {"large": prepare(large_url), "small": prepare(small_url)}
    result: dict = {name: {"paths": paths, "median_ms": {}} for name, (_, _, paths) in datasets.items()}
    large, small = datasets["large"], datasets["small"]
    for page in large[2]:
        times = interleaved_medians([(large[1], large[2][page]), (small[1], small[2][page])], runs, warmup, GZIP)
        result["large"]["median_ms"][page], result["small"]["median_ms"][page] = times
    swap = {**GZIP, "HX-Request": "true"}
    cost = "cost page (most usage lines)"
    times = interleaved_medians([(large[1], large[2][cost]), (small[1], small[2][cost])], runs, warmup, swap)
    for index, name in enumerate(("large", "small")):
        _, client, paths = datasets[name]
        result[name]["swap_ms"] = times[index]
        result[name]["swap_bytes"] = len(client.get(paths[cost], headers=swap).data)
        result[name]["first_load_bytes"] = {
            page: first_load_bytes(client, path) for page, path in paths.items() if "runway" not in page
        }
    for app, _, _ in datasets.values():
        with app.app_context():
            db.engine.dispose()
    return result


def report(large: dict, small: dict) -> str:
    lines = ["| page | small (10 × 7 d) | large (1,000 × 365 d) | ratio |", "|---|---:|---:|---:|"]
    for name in large["median_ms"]:
        s, big = small["median_ms"][name], large["median_ms"][name]
        lines.append(f"| {name} | {s:.1f} ms | {big:.1f} ms | {big / s:.2f}× |")
    s, big = small["swap_ms"], large["swap_ms"]
    lines.append(f"| month-picker swap (partial) | {s:.1f} ms | {big:.1f} ms | {big / s:.2f}× |")
    lines += ["", "| first load (gzipped HTML + CSS + JS), large dataset | bytes |", "|---|---:|"]
    for name, sizes in large["first_load_bytes"].items():
        detail = ", ".join(f"{k} {v:,}" for k, v in sizes.items())
        lines.append(f"| {name}: {detail} | **{sum(sizes.values()):,}** |")
    lines.append(f"| month-picker swap (gzipped partial) | **{large['swap_bytes']:,}** |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", required=True, help="database URL of the 1,000 × 365 d dataset")
    parser.add_argument("--small", required=True, help="database URL of the 10 × 7 d dataset")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", default="bench/results/latest.json")
    args = parser.parse_args()
    result = measure(args.large, args.small, args.runs, args.warmup)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(report(result["large"], result["small"]))


if __name__ == "__main__":
    main()
