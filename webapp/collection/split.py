"""Running one organisation-at-a-time job in several processes (demo replay on PostgreSQL).

Each organisation is its own transaction, so processes never share one: the work is dealt out
round-robin to forked children, each with its own database connections, and each finished
organisation is reported back to the parent, which passes it to `done` (the progress bar). SQLite
allows one writer at a time and a session bound to one connection (the tests') cannot be shared:
there, and for a single process, the work runs in this process.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine

from webapp.extensions import db

Item = TypeVar("Item")
Result = tuple[int, int]
_END = "end"
_ERROR = "error"


class SplitFailed(RuntimeError):
    """A child process stopped on an error; what it finished is committed."""


def can_split() -> bool:
    return db.session.get_bind().dialect.name == "postgresql" and isinstance(db.session.get_bind(), Engine)


def run_split(
    items: Sequence[Item], work: Callable[[Item], Result], done: Callable[[Result], None], processes: int
) -> None:
    """work(item) for every item, in `processes` forked children when that is possible."""
    if processes <= 1 or len(items) < 2 or not can_split():
        for item in items:
            done(work(item))
        return
    context = multiprocessing.get_context("fork")
    results: Any = context.Queue()
    db.session.close()
    db.engine.dispose()  # no pooled connection may be inherited: each child opens its own
    children = [
        context.Process(target=_child, args=(items[index::processes], work, results), daemon=True)
        for index in range(processes)
    ]
    for child in children:
        child.start()
    try:
        _collect(children, results, done)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _collect(children: list[Any], results: Any, done: Callable[[Result], None]) -> None:
    running = len(children)
    while running:
        try:
            kind, value = results.get(timeout=1.0)
        except queue.Empty:
            if not any(child.is_alive() for child in children) and results.empty():
                raise SplitFailed("a replay process ended without reporting back") from None
            continue
        if kind == _ERROR:
            raise SplitFailed(value)
        if kind == _END:
            running -= 1
        else:
            done(value)


def _child(items: Sequence[Item], work: Callable[[Item], Result], results: Any) -> None:
    db.engine.dispose(close=False)  # the parent's connections stay the parent's
    try:
        for item in items:
            results.put(("done", work(item)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which fails with it
        results.put((_ERROR, f"{type(error).__name__}: {error}"))
        return
    finally:
        db.session.remove()
    results.put((_END, None))
