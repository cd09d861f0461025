"""Dashboard benchmark (issue 5 §8): server time of three pages on a large and a small dataset, and
the bytes of a first load and of a month-picker swap. A script, not a test.

    bench/load.sh    # creates and fills accountdesk_bench (1,000 × 365 d) and accountdesk_bench_small (10 × 7 d)
    .venv/bin/python bench/dashboard_bench.py \\
        --large postgresql://postgres@127.0.0.1:5432/accountdesk_bench \\
        --small postgresql://postgres@127.0.0.1:5432/accountdesk_bench_small

Server time is measured in-process with Flask's test client (routing, queries, rendering,
compression; no network), as the median of --runs requests after --warmup requests.
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
    now = utcnow()
    row = db.session.execute(
        text(
            "SELECT organization_id, year, month FROM cost_snapshots WHERE year = :y AND month = :m "
            "ORDER BY json_array_length(usage_lines::json) DESC, organization_id LIMIT 1"
        ),
        {"y": now.year, "m": now.month},
    ).first()
    month = f"{row.year:04d}-{row.month:02d}"
    return {
        "portfolio": "/",
        "portfolio sorted by runway": "/?sort=runway",
        "organisation page (1 y)": f"/orgs/{org_id}?range=1y",
        "cost page (most usage lines)": f"/orgs/{row.organization_id}/costs?month={month}",
    }


def median_ms(client, path: str, runs: int, warmup: int, headers: dict | None = None) -> float:
    for _ in range(warmup):
        assert client.get(path, headers=headers or GZIP).status_code == 200, path
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, headers=headers or GZIP)
        response.get_data()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def first_load_bytes(client, path: str) -> dict[str, int]:
    """Gzipped bytes of the HTML and every stylesheet and script it links."""
    page = client.get(path, headers=GZIP)
    sizes = {"html": len(page.data)}
    html = client.get(path).get_data(as_text=True)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', html):
        with client.get(asset.replace("&amp;", "&"), headers=GZIP) as response:
            sizes[asset.split("?")[0].rsplit("/", 1)[1]] = len(response.data)
    return sizes


def measure(url: str, runs: int, warmup: int) -> dict:
    app = make_app(url)
    with app.app_context():
        ensure_user()
        paths = targets()
        client = app.test_client()
        client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD})
        times = {name: median_ms(client, path, runs, warmup) for name, path in paths.items()}
        cost_path = paths["cost page (most usage lines)"]
        swap = client.get(cost_path, headers={**GZIP, "HX-Request": "true"})
        result = {
            "paths": paths,
            "median_ms": times,
            "first_load_bytes": {name: first_load_bytes(client, paths[name]) for name in paths if "runway" not in name},
            "swap_bytes": len(swap.data),
            "swap_ms": median_ms(client, cost_path, runs, warmup, {**GZIP, "HX-Request": "true"}),
        }
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
    small = measure(args.small, args.runs, args.warmup)
    large = measure(args.large, args.runs, args.warmup)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"small": small, "large": large}, indent=2))
    print(report(large, small))


if __name__ == "__main__":
    main()
