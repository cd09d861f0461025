"""What-ifs for the forecast backtest (docs/forecasting.md, "What decides the rows beyond 30 days"): the same
backtest with the demo simulation's slow variation changed, or with the long-run level known. Not a product
path: it swaps a function of the demo simulation, or of the spend model, in this process only.

    .venv/bin/python -m bench.forecast_whatif --slow-scale 0.5 --orgs 500      # the cycle at half amplitude
    .venv/bin/python -m bench.forecast_whatif --slow walk --step 0.05 --orgs 500
    .venv/bin/python -m bench.forecast_whatif --known-base --orgs 500

Every other option goes to bench.forecast_backtest (see its --help); its JSON result is written as usual.

- `--slow-scale F`: each usage line's slow cycle (demo_usage.cycle_level: a triangle wave of ±5–25 % over
  6–24 months) at F times its amplitude; 0 leaves no slow variation, only the ±5 % jitter of each month.
- `--slow walk --step S`: the cycle replaced by persistent level changes: from the epoch, each month moves
  each line's level by a uniform step within ±S (S = 0.05: a standard deviation of 2.9 % a month), drawn
  from the line's shape (two lines with identical draws walk together). The weekly pattern, the monthly
  jitter, the daily noise and the spikes stay as they are.
- `--growth G`: on top of either, every line grows by G a month from December 2025 (the window's first
  month) on, compounded: an organisation whose spend keeps growing (top-ups stay as they were).
- `--known-base`: the forecast's long-run level is the organisation's true mean variable spend over
  2024-01-02 … 2027-12-31 (four years, whole periods of most cycles), from its first forecast on, whatever
  the history it has: what a forecaster would do that knew where each level settles but not where its
  cycle stands. Only the simulation knows this; no forecast can read it.

Since 2026-12-01 the backtest's forecasts also read the provider's closed months before the window, as the
product's do (`--no-months` passes to the backtest: the daily history only, as the rows measured before).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache

from bench import forecast_backtest as backtest
from webapp.domain import spend_model
from webapp.domain.forecast import DayFigure, ForecastParams
from webapp.providers import demo_usage
from webapp.providers.demo_usage import LineShape

CYCLE = demo_usage.cycle_level
BASE_SPAN = (date(2024, 1, 2), date(2027, 12, 31))
Level = Callable[[LineShape, int, int], int]


def scaled_cycle(scale: float) -> Level:
    def level(shape: LineShape, year: int, month: int) -> int:
        return CYCLE(replace(shape, amplitude=round(shape.amplitude * scale)), year, month)

    return level


def walk(step: float) -> Level:
    @cache
    def level_at(shape: LineShape, months: int) -> float:
        before = 1.0 if months == 0 else level_at(shape, months - 1)
        return before * (1 + step * (2 * demo_usage.seeded_rng("walk", shape, months).random() - 1))

    def level(shape: LineShape, year: int, month: int) -> int:
        return round(1000 * level_at(shape, (year - demo_usage.EPOCH_YEAR) * 12 + month - 1))

    return level


def growing(level: Level, rate: float) -> Level:
    start = (2025 - demo_usage.EPOCH_YEAR) * 12 + 11  # December 2025

    def grown(shape: LineShape, year: int, month: int) -> int:
        months = (year - demo_usage.EPOCH_YEAR) * 12 + month - 1 - start
        return round(level(shape, year, month) * (1 + rate) ** max(0, months))

    return grown


def know_the_base() -> None:
    """The spend model's long-run level becomes the true one of the organisation being replayed."""
    bases: dict[str, Decimal] = {}
    replaying: list[str] = []
    series = backtest.series

    def remembering(ref: str, first: date, last: date) -> list[DayFigure]:
        if ref not in bases:
            days = series(ref, *BASE_SPAN)
            bases[ref] = sum((day.spend - day.fixed_fees for day in days), Decimal(0)) / len(days)
        replaying[:] = [ref]
        return series(ref, first, last)

    def long_run(history: Sequence[DayFigure], earlier: object, params: ForecastParams) -> tuple[int, Decimal]:
        return params.long_window_days, bases[replaying[0]] * params.long_window_days

    backtest.series = remembering
    spend_model.long_run = long_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="Other options: the backtest's.")
    parser.add_argument("--slow", choices=("cycle", "walk"), default="cycle", help="the slow variation's kind")
    parser.add_argument("--slow-scale", type=float, default=1.0, help="cycle: its amplitude times this")
    parser.add_argument("--step", type=float, default=0.05, help="walk: the largest monthly step (0.05: ±5 %%)")
    parser.add_argument("--growth", type=float, default=0.0, help="every line grows this much a month (0.03: 3 %%)")
    parser.add_argument("--known-base", action="store_true", help="the true long-run level, from the start")
    args, rest = parser.parse_known_args()
    if args.slow == "walk":
        demo_usage.cycle_level = walk(args.step)
        what = f"slow variation: a random walk, monthly steps within ±{args.step:.1%}"
    else:
        demo_usage.cycle_level = scaled_cycle(args.slow_scale)
        what = f"slow variation: the demo's cycle at {args.slow_scale:g} × its amplitude"
    if args.growth:
        demo_usage.cycle_level = growing(demo_usage.cycle_level, args.growth)
        what += f"; every line grows {args.growth:.1%} a month from December 2025"
    if args.known_base:
        know_the_base()
        what += "; the long-run level known (true mean of 2024-01-02 … 2027-12-31)"
    print(f"what-if: {what}")
    sys.argv = [sys.argv[0], *rest]
    backtest.main()


if __name__ == "__main__":
    main()
