"""Forecast backtest (issue 14 §6): the month-end projection and the depletion forecast replayed as of past
days on the demo dataset, against the naive baselines. Not a test; results in docs/forecasting.md.

    .venv/bin/python -m bench.forecast_backtest                      # 1,000 organisations × 365 days
    .venv/bin/python -m bench.forecast_backtest --orgs 100 --check 3 # smaller; verify the series first
    .venv/bin/python -m bench.forecast_backtest --orgs 500 & .venv/bin/python -m bench.forecast_backtest \
        --from-org 501 --orgs 1000                                   # two processes, then:
    .venv/bin/python -m bench.forecast_backtest --merge bench/results/forecast_backtest-*.json

The series are generated in memory from the demo provider (no database): for every organisation and UTC
day of the window, the balance and the month's cost report at 21:00 UTC, the last collection slot of the
day, after the working day's accrual (08:00–20:00). That gives the same daily figures as `flask demo-data`
replaying every 3-hour slot and deriving them with webapp/read_model/daily.py: spend is the growth of the
month's total by day (fees included, the first day's subscription too), usage the growth of the usage
lines, the closing balance the 21:00 reading. `--check N` proves it on N organisations by building the
full 3-hourly ledger and running the read model's own derivation on it.

Since 2026-12-01 the depletion forecasts also read, as the product's do, the closed months of two years that
the organisation's first cost collection (the first slot of the series) asks the provider for, reduced by the
read model's own function (past_months; `--check` proves them equal to the replayed ledger's); `--no-months`
leaves them out (the daily history only, as before).

No peeking: every forecast sees only the days up to its `as_of`, and months reported before the series began;
the actual comes from the later days.
Month-end: each closed month in the window, projected at the end of day 7, 14 and 21 vs the month's
actual; naive = month-to-date ÷ days elapsed × days in month. Depletion: every day from the 14th (every
weekday counts; with `--depletion-step 7`, as before 2026-11-30, they were all made on Fridays, when the
naive baseline's 30 days are four whole weeks plus a Thursday and a Friday, so it overstated the pace), the
forecast of
when the balance reaches zero (spending as expected, no further top-ups) vs the day it really would have
(the closing balance minus the real spend that followed), when that day lies in the window; naive =
balance ÷ the last 30 days' average spend. "Actually crossed" is the subset where no top-up came in
between, so the balance really went to zero then. Errors are absolute percentage errors of the month
total, and of the lead time (days from as_of to the crossing) for depletion. "exact" is the share of answers
exactly right (for depletion: the very day), which a band of whole days always contains; "cov. not exact"
the band's coverage of the others.

`--history N` lets the forecasts also read the N days before the window (the demo's ledger goes back to
2024; the forecast's long-run level reads up to 730 days): only the window's days are scored. The "> 90 d"
forecasts are also split by when they were made: in the window's first 89 days (window-only, they read
fewer than 90 days) or later, so runs with and without `--history` compare the same forecasts.
`--reversion-days 0` turns the reversion off (the recent 28-day level at every horizon); `--long-window N`
reads the long-run level from up to N days (730 in the product). What-ifs on the simulation itself (its slow
variation, a known long-run level): bench/forecast_whatif.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from webapp.domain.anomalies import AnomalyParams, UsageDay, find_all_episodes
from webapp.domain.forecast import DayFigure, ForecastParams, PastMonth, forecast_depletion, project_month
from webapp.providers.demo import DemoProvider, profile

ROOT = Path(__file__).resolve().parents[1]
HORIZONS = (7, 14, 21)
ZERO = Decimal(0)
provider = DemoProvider()
PARAMS = ForecastParams()  # --drift, --level-floor: the sensitivity of the bands
ANOMALIES: dict[str, int] | None = None  # --anomalies: episodes found vs the spikes injected
HISTORY = 0  # --history: days before the window the forecasts may read (scored: the window's days only)
STEP = 1  # --depletion-step: a depletion forecast every STEP days (7, as before 2026-11-30: Fridays only)
MONTHS = True  # --no-months: the long-run level reads the daily history only (before 2026-12-01)


def _usage(report) -> Decimal:
    return sum((line.amount for line in report.usage_lines), ZERO) if report else ZERO


def series(ref: str, first: date, last: date) -> list[DayFigure]:
    """The daily figures of one demo organisation from `first` to `last` (see the module docstring)."""
    figures, day = [], first
    eve = datetime.combine(first - timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=21)
    report = provider.month_costs(ref, eve.year, eve.month, as_of=eve) if first.day != 1 else None
    before_total, before_usage = (report.total if report else ZERO), _usage(report)
    before_balance = provider.balance(ref, as_of=eve).amount
    while day <= last:
        evening = datetime(day.year, day.month, day.day, 21, tzinfo=UTC)
        report = provider.month_costs(ref, day.year, day.month, as_of=evening)
        total, usage = (report.total if report else ZERO), _usage(report)
        if day.day == 1:
            before_total = before_usage = ZERO
        balance = provider.balance(ref, as_of=evening).amount
        spend = total - before_total
        top_ups = max(ZERO, balance - before_balance + spend)  # what came in beside the spend
        figures.append(DayFigure(day, spend, top_ups, balance, usage - before_usage))
        before_total, before_usage, before_balance = total, usage, balance
        day += timedelta(days=1)
    return figures


def _cost_point(ref: str, month, slot: datetime):
    from webapp.read_model.ledger import CostPoint, usage_of

    report = provider.month_costs(ref, month.year, month.month, as_of=slot)
    if not report:
        return None
    lines = [{"service": line.service, "amount": str(line.amount)} for line in report.usage_lines]
    return CostPoint(slot, month, report.currency, report.total, usage_of(lines)[0])


def past_months(ref: str, first: date) -> list[PastMonth]:
    """What the product's forecasts read before the daily history starting on `first`: the reports its first
    cost collection (that day's first slot) asks for (collection.rules.cost_months), reduced by the read
    model's own function (read_model.forecast.ledger_months, which a rebuild uses)."""
    from webapp.collection.rules import cost_months
    from webapp.read_model.daily import DailyFigures
    from webapp.read_model.forecast import ledger_months

    slot = datetime.combine(first, datetime.min.time(), UTC)
    costs = [point for month in cost_months(slot, first=True) if (point := _cost_point(ref, month, slot))]
    currency = provider.balance(ref, as_of=slot).currency
    return ledger_months(costs, [DailyFigures(first, None, currency, ZERO, ZERO, currency)], first)


def check_against_read_model(ref: str, first: date, last: date) -> None:
    """The full 3-hourly replay through the read model's derivation, its first slot asking for the history as
    the collection's first does, gives the same spend and balances, and the months past_months reads."""
    from webapp.collection.rules import cost_months
    from webapp.read_model.daily import daily_figures
    from webapp.read_model.forecast import ledger_months
    from webapp.read_model.ledger import BalancePoint, Ledger

    start = datetime.combine(first, datetime.min.time(), UTC)
    balances, costs = [], []
    slot = start
    while slot.date() <= last:
        reading = provider.balance(ref, as_of=slot)
        balances.append(BalancePoint(slot, reading.amount, reading.currency))
        costs += [point for month in cost_months(slot, first=slot == start) if (point := _cost_point(ref, month, slot))]
        slot += timedelta(hours=3)
    rows = daily_figures(Ledger(balances, costs))
    derived = {row.day: row for row in rows}
    for mine in series(ref, first, last):
        theirs = derived[mine.day]
        services = sum((Decimal(amount) for amount in theirs.spend_by_service.values()), ZERO)
        if (theirs.spend, theirs.closing_balance, services) != (mine.spend, mine.closing_balance, mine.usage):
            raise SystemExit(f"{ref} {mine.day}: read model {theirs} != backtest series {mine}")
    if ledger_months(costs, rows, last) != past_months(ref, first):
        raise SystemExit(f"{ref}: the read model's months differ from the backtest's")
    print(f"check: {ref} {first}..{last} matches the read model's daily figures and months", file=sys.stderr)


@dataclass
class Score:
    errors: list[float]  # signed: forecast − actual, relative
    inside: int = 0
    with_band: int = 0
    exact: int = 0  # answers exactly right (depletion: the very day), inside any band of whole days

    def add(self, error: float, inside: bool | None = None) -> None:
        self.errors.append(error)
        if inside is not None:
            self.with_band += 1
            self.inside += inside
            self.exact += error == 0

    def row(self) -> dict[str, float | int | None]:
        coverage = self.inside / self.with_band if self.with_band else None
        mdape = statistics.median(abs(error) for error in self.errors) if self.errors else None
        bias = statistics.median(self.errors) if self.errors else None
        exact = self.exact / self.with_band if self.with_band else None
        rest = self.with_band - self.exact  # coverage of the answers that are not exact
        beside = (self.inside - self.exact) / rest if rest else None
        return {
            "n": len(self.errors),
            "mdape": mdape,
            "bias": bias,
            "coverage": coverage,
            "exact": exact,
            "beside": beside,
        }


def month_scores(figures: list[DayFigure], scores: dict[str, Score], *, subscription: bool, start: int = 0) -> None:
    by_month: dict[date, list[DayFigure]] = defaultdict(list)
    for figure in figures:
        by_month[figure.day.replace(day=1)].append(figure)
    for first, days in by_month.items():
        if first < figures[start].day or days[0].day != first or (days[-1].day + timedelta(days=1)).day != 1:
            continue  # the window's partial months
        actual = sum((figure.spend for figure in days), ZERO)
        if actual <= 0:
            continue
        for horizon in range(2, 29):
            as_of = first + timedelta(days=horizon - 1)
            projection = project_month(figures, first_day=first, as_of=as_of, params=PARAMS)
            if projection.expected is None or projection.low is None or projection.high is None:
                continue
            naive = projection.month_to_date / horizon * len(days)
            inside = projection.low <= actual <= projection.high
            names = ("month, any day 2–28",)
            if horizon in HORIZONS:
                names += (f"month day {horizon}",) + (() if subscription else (f"month day {horizon}, no fees",))
            for name in names:
                scores[name].add(float((projection.expected - actual) / actual), inside)
                scores[f"{name} naive"].add(float((naive - actual) / actual))


def real_crossing(figures: list[DayFigure], index: int) -> tuple[date | None, bool]:
    """When the balance of day `index` reaches zero under the real spend that followed, and whether no
    top-up came in between (so it really did)."""
    left, topped_up = figures[index].closing_balance or ZERO, False
    for figure in figures[index + 1 :]:
        left -= figure.spend
        topped_up = topped_up or figure.top_ups > 0
        if left <= 0:
            return figure.day, not topped_up
    return None, False


def depletion_scores(
    figures: list[DayFigure], scores: dict[str, Score], start: int = 0, earlier: list[PastMonth] | None = None
) -> None:
    for index in range(start + 13, len(figures), STEP):
        as_of = figures[index].day
        actual, really = real_crossing(figures, index)
        forecast = forecast_depletion(figures, as_of=as_of, params=PARAMS, earlier=earlier or ())
        if actual is None or forecast.zero is None or forecast.zero.band is None:
            continue
        lead = (actual - as_of).days
        band = forecast.zero.band
        spent_30 = sum((figure.spend for figure in figures[max(0, index - 29) : index + 1]), ZERO)
        balance = forecast.balance or ZERO
        naive_days = float(balance / (spent_30 / min(30, index + 1))) if spent_30 > 0 else None
        bucket = "≤ 30 d" if lead <= 30 else "31–90 d" if lead <= 90 else "> 90 d"
        error, inside = (band.expected - actual).days / lead, band.earliest <= actual <= band.latest
        made = "made in window days 1–89" if index - start < 89 else "made from window day 90"
        split = (f"> 90 d, {made}",) if lead > 90 else ()
        for name in ("all", bucket) + split + (("actually crossed",) if really else ()):
            scores[f"depletion {name}"].add(error, inside)
            if naive_days is not None:
                scores[f"depletion {name} naive"].add((naive_days - lead) / lead)


def usage_days(ref: str, first: date, last: date) -> list[UsageDay]:
    """Usage per service and per operator and day (what the read model's spend_by_service and spend_by_operator
    hold: operators by id, shown by name), from the 21:00 reports."""
    days, day, before = [], first, ({}, {})
    while day <= last:
        report = provider.month_costs(
            ref, day.year, day.month, as_of=datetime(day.year, day.month, day.day, 21, tzinfo=UTC)
        )
        now: tuple[dict[str, Decimal], dict[str, Decimal]] = (defaultdict(lambda: ZERO), defaultdict(lambda: ZERO))
        for line in report.usage_lines if report else ():
            now[0][line.service] += line.amount
            if line.operator_id is not None:
                now[1][line.operator_name or line.operator_id] += line.amount
        if day.day == 1:
            before = ({}, {})
        grown = [
            {name: amount - was.get(name, ZERO) for name, amount in new.items()}
            for new, was in zip(now, before, strict=True)
        ]
        days.append(UsageDay(day, grown[0], grown[1]))
        before, day = now, day + timedelta(days=1)
    return days


def anomaly_counts(ref: str, first: date, last: date, counts: dict[str, int]) -> None:
    """Episodes found against the spikes the simulation injected (demo internals: bench only)."""
    from webapp.providers.demo import _plans

    prof, injected, large = profile(ref), set(), set()
    operated: dict[date, set[str]] = defaultdict(set)  # a large spike's day: the operators of its lines
    month = first.replace(day=1)
    while month <= last:
        for spec, plan in zip(prof.lines, _plans(ref, month.year, month.month), strict=True):
            spiked = month.replace(day=plan.spike_day) if plan.spike_day else None
            if spiked and first + timedelta(days=14) <= spiked <= last:
                injected.add((spec.service, spiked))
                if Decimal(plan.spike).scaleb(-3) * spec.price >= AnomalyParams().min_excess:
                    large.add((spec.service, spiked))
                    if spec.operator_id is not None:
                        operated[spiked].add(spec.operator_name or spec.operator_id)
        month = (month + timedelta(days=32)).replace(day=1)
    episodes = find_all_episodes(usage_days(ref, first, last), as_of=last)
    services = [episode for episode in episodes if episode.scope is not None]
    _operator_counts([episode for episode in episodes if episode.scope is None], operated, counts)
    found = {(s, d) for s, d in injected if any(e.scope == s and e.start <= d <= e.end for e in services)}
    counts["injected spikes"] += len(injected)
    counts["injected spikes found"] += len(found)
    counts["injected spikes worth at least the minimum excess"] += len(large)
    counts["of those, found"] += len(found & large)
    counts["organisation episodes"] += len(episodes) - len(services)
    counts["service episodes"] += len(services)
    counts["service episodes with no injected spike"] += sum(
        not any(s == e.scope and e.start <= d <= e.end for s, d in injected) for e in services
    )
    counts["organisations"] += 1


def _operator_counts(episodes: list, operated: dict[date, set[str]], counts: dict[str, int]) -> None:
    """Organisation episodes whose only anomalous day holds a large spike on an operator's line: is one of
    that day's spiking operators the episode's first operator, or among its top ones?"""
    for episode in episodes:
        spiking = operated.get(episode.start, set()) if episode.days == 1 else set()
        if not spiking:
            continue
        names = [driver.name for driver in episode.top_operators]
        counts["one-day organisation episodes on a large spike of an operator's line"] += 1
        counts["of those, a spiking operator first among the episode's operators"] += (
            bool(names) and names[0] in spiking
        )
        counts["of those, a spiking operator among its top operators"] += bool(spiking & set(names))


def run(orgs: int, first: date, last: date, from_org: int = 1) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(lambda: Score([]))
    started = time.monotonic()
    for index in range(from_org, orgs + 1):
        ref = f"demo-{index:04d}"
        if not profile(ref).idle:
            figures = series(ref, first - timedelta(days=HISTORY), last)
            month_scores(figures, scores, subscription=bool(profile(ref).subscription), start=HISTORY)
            depletion_scores(figures, scores, HISTORY, past_months(ref, figures[0].day) if MONTHS else None)
            if ANOMALIES is not None:
                anomaly_counts(ref, first, last, ANOMALIES)
        if index % 50 == 0 or index == orgs:
            elapsed = time.monotonic() - started
            print(f"{index}/{orgs} organisations, {elapsed:.0f} s", file=sys.stderr, flush=True)
    return scores


def table(scores: dict[str, Score]) -> str:
    lines = [
        "| what | n | MdAPE | naive MdAPE | ratio | 80 % band coverage | median bias | naive bias "
        "| exact | cov. not exact |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, score in scores.items():
        if name.endswith(" naive"):
            continue
        mine, naive = score.row(), scores[f"{name} naive"].row()
        ratio = mine["mdape"] / naive["mdape"] if mine["mdape"] is not None and naive["mdape"] else None
        coverage = f"{mine['coverage']:.1%}" if mine["coverage"] is not None else "–"
        naive_text = f"{naive['mdape']:.1%}" if naive["mdape"] is not None else "–"
        ratio_text = f"{ratio:.2f}" if ratio is not None else "–"
        biases = " | ".join(f"{row['bias']:+.1%}" if row["bias"] is not None else "–" for row in (mine, naive))
        shares = " | ".join(f"{mine[key]:.1%}" if mine.get(key) is not None else "–" for key in ("exact", "beside"))
        lines.append(
            f"| {name} | {mine['n']} | {mine['mdape']:.1%} | {naive_text} | {ratio_text} | {coverage} | {biases} "
            f"| {shares} |"
        )
    return "\n".join(lines)


def main() -> None:
    global PARAMS, ANOMALIES, HISTORY, STEP, MONTHS  # one run, one set of parameters
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 29), help="first day after the window")
    parser.add_argument("--check", type=int, default=0, help="verify the series of the first N organisations")
    parser.add_argument("--drift", type=float, default=PARAMS.drift_per_month)
    parser.add_argument("--level-floor", type=float, default=PARAMS.level_floor)
    parser.add_argument("--reversion-days", type=float, default=PARAMS.reversion_days, help="τ; 0: no reversion")
    parser.add_argument("--history", type=int, default=0, help="days before the window the forecasts may read")
    parser.add_argument("--long-window", type=int, default=PARAMS.long_window_days, help="days of the long-run level")
    parser.add_argument("--depletion-step", type=int, default=STEP, help="days between depletion forecasts")
    parser.add_argument("--long-min-days", type=int, default=PARAMS.long_min_days, help="history before reverting")
    parser.add_argument("--anomalies", action="store_true", help="also count anomaly episodes vs injected spikes")
    parser.add_argument(
        "--no-months", action="store_true", help="the long-run level reads no month before the daily history"
    )
    parser.add_argument("--from-org", type=int, default=1, help="start at demo-N (split a run over processes)")
    parser.add_argument("--merge", nargs="+", type=Path, help="print the table of these runs' JSON files together")
    args = parser.parse_args()
    if args.merge:
        print(table(merged(args.merge)))
        return
    ANOMALIES = defaultdict(int) if args.anomalies else None
    HISTORY, STEP, MONTHS = args.history, args.depletion_step, not args.no_months
    PARAMS = ForecastParams(
        drift_per_month=args.drift,
        level_floor=args.level_floor,
        reversion_days=args.reversion_days or PARAMS.reversion_days,
        long_min_days=args.long_min_days if args.reversion_days else 10**6,  # 0: never enough history
        long_window_days=args.long_window,
    )
    last = args.end - timedelta(days=1)
    first = args.end - timedelta(days=args.days)
    busy = [f"demo-{i:04d}" for i in range(args.from_org, args.orgs + 1) if not profile(f"demo-{i:04d}").idle]
    for ref in busy[: args.check]:
        check_against_read_model(ref, first, min(last, first + timedelta(days=70)))
    scores = run(args.orgs, first, last, args.from_org)
    count = args.orgs - args.from_org + 1
    months = "the months before it" if MONTHS else "no month"
    print(f"window {first}..{last}, {count} organisations ({len(busy)} not idle), {HISTORY} days before, {months}")
    print(f"{PARAMS}\n")
    print(table(scores))
    if ANOMALIES is not None:
        print("\n" + "\n".join(f"- {name}: {count}" for name, count in ANOMALIES.items()))
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}"  # two runs finishing in one second: two files
    out = ROOT / "bench" / "results" / f"forecast_backtest-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    raw = {
        name: {"errors": score.errors, "inside": score.inside, "with_band": score.with_band, "exact": score.exact}
        for name, score in scores.items()
    }
    out.write_text(json.dumps({"rows": {name: score.row() for name, score in scores.items()}, "raw": raw}))
    print(f"\n{out.relative_to(ROOT)}", file=sys.stderr)


def merged(paths: list[Path]) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(lambda: Score([]))
    for path in paths:
        for name, raw in json.loads(path.read_text())["raw"].items():
            score = scores[name]
            score.errors += raw["errors"]
            score.inside += raw["inside"]
            score.with_band += raw["with_band"]
            score.exact += raw.get("exact", 0)
    return scores


if __name__ == "__main__":
    main()
