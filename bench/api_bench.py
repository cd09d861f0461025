"""API benchmark (issue 4): throughput of the latest endpoints relative to a trivial token-verifying
endpoint, and /balance/latest latency for a week-old vs. a year-old ledger. Not a test; see docs/performance.md.

    DATABASE_URL=postgresql://…/bench JWT_SECRET=… .venv/bin/python bench/api_bench.py
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8764"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
LATENCY_REQUESTS = int(os.environ.get("BENCH_LATENCY_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def request(connection: http.client.HTTPConnection, path: str, token: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return time.perf_counter() - started


def hammer(path: str, token: str, seconds: float) -> int:
    """One client process: requests back to back over a keep-alive connection; returns the count."""
    connection, done, deadline = http.client.HTTPConnection(HOST, PORT), 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        request(connection, path, token)
        done += 1
    return done


def throughput(path: str, token: str) -> float:
    with ProcessPoolExecutor(CONCURRENCY) as pool:
        counts = pool.map(hammer, [path] * CONCURRENCY, [token] * CONCURRENCY, [SECONDS] * CONCURRENCY)
        return sum(counts) / SECONDS


def latency(path: str, tokens: dict[str, str]) -> dict[str, dict[str, float]]:
    """p50/p95 per token, one keep-alive connection each, requests alternating between them (so drifting
    machine load hits all alike)."""
    connections = {name: http.client.HTTPConnection(HOST, PORT) for name in tokens}
    for _ in range(100):  # warm up
        for name, token in tokens.items():
            request(connections[name], path, token)
    samples: dict[str, list[float]] = {name: [] for name in tokens}
    for _ in range(LATENCY_REQUESTS):
        for name, token in tokens.items():
            samples[name].append(request(connections[name], path, token) * 1000)
    return {name: percentiles(sorted(values)) for name, values in samples.items()}


def percentiles(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(samples), 3), "p95_ms": round(samples[int(0.95 * len(samples))], 3)}


def start_server() -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
               "-b", f"{HOST}:{PORT}", "--keep-alive", "30", "bench.api_app:app"]  # fmt: skip
    env = {**os.environ, "API_RATE_LIMIT": "100000000 per minute", "ACCOUNTDESK_ENV": "development"}
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command line
    for _ in range(100):
        try:
            http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/healthz")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def median_throughput(paths: list[str], token: str) -> dict[str, float]:
    """Rounds of each path in turn (after a warm-up), so drifting machine load hits all alike; the median."""
    for path in paths:
        hammer(path, token, 1.0)
    samples: dict[str, list[float]] = {path: [] for path in paths}
    for _ in range(ROUNDS):
        for path in paths:
            samples[path].append(throughput(path, token))
    return {path: statistics.median(values) for path, values in samples.items()}


def run(seed: dict) -> dict:
    month = time.strftime("year=%Y&month=%m").replace("month=0", "month=")
    baseline, paths = "/bench/ping", ["/bench/ping", "/api/v1/balance/latest", f"/api/v1/costs/latest?{month}"]
    rps = median_throughput(paths, seed["year"])
    return {
        "setup": {k: seed[k] for k in ("orgs", "balance_rows", "rows", "week_org", "year_org")},
        "method": {
            "seconds": SECONDS,
            "concurrency": CONCURRENCY,
            "rounds": ROUNDS,
            "latency_requests": LATENCY_REQUESTS,
        },
        "requests_per_second": {k: round(v, 1) for k, v in rps.items()},
        "ratio_to_baseline": {k: round(v / rps[baseline], 3) for k, v in rps.items()},
        "balance_latest_latency": latency("/api/v1/balance/latest", {"week": seed["week"], "year": seed["year"]}),
    }


def main() -> None:
    seed_run = subprocess.run(
        [sys.executable, "-m", "bench.api_seed"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seed = json.loads(seed_run.stdout.strip().splitlines()[-1])
    server = start_server()
    try:
        result = run(seed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
