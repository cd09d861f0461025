"""Progress of a long CLI command: a bar on a terminal, plain periodic lines otherwise, nothing when quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

PLAIN_PROGRESS_SECONDS = 5.0


def _eta(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


@contextmanager
def rows_progress(total: int, label: str, *, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """Yields `advance(items, rows)`: items of `total` done (organisations), rows written, rate and ETA."""
    if quiet:
        yield lambda _items, _rows: None
        return
    done, rows, started, last = 0, 0, time.monotonic(), time.monotonic()

    def status() -> str:
        elapsed = max(time.monotonic() - started, 1e-9)
        eta = elapsed / done * (total - done) if done else 0.0
        return f"{done}/{total} organisations, {rows:,} rows, {rows / elapsed:,.0f} rows/s, ETA {_eta(eta)}"

    if sys.stderr.isatty():
        with click.progressbar(
            length=total, label=label, file=sys.stderr, show_pos=True, item_show_func=lambda text: text
        ) as bar:

            def advance_bar(items: int, written: int) -> None:
                nonlocal done, rows
                done, rows = done + items, rows + written
                bar.update(items, f"{rows:,} rows, {rows / max(time.monotonic() - started, 1e-9):,.0f} rows/s")

            yield advance_bar
        return

    def advance_plain(items: int, written: int) -> None:
        nonlocal done, rows, last
        done, rows = done + items, rows + written
        if done == total or time.monotonic() - last >= PLAIN_PROGRESS_SECONDS:
            last = time.monotonic()
            click.echo(f"{label}: {status()}", err=True)

    yield advance_plain
