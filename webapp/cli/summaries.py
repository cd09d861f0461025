"""`flask summaries rebuild|check|rebase`: the read model recomputed from, and compared with, the ledger (SPEC §8);
the 7-day change's bases moved to today's week-ago day (read_model.change_base)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from webapp.cli.common import database_errors_as_messages
from webapp.extensions import db

if TYPE_CHECKING:
    from webapp.read_model.store import Difference

summaries_cli = AppGroup("summaries", help="Rebuild or check the read model (summaries and daily figures).")
PLAIN_PROGRESS_SECONDS = 5.0


def _selected(organization_id: int | None, *, after: int | None = None) -> list[int]:
    from webapp.models import Organization
    from webapp.read_model.store import UnknownOrganization, organization_ids

    if organization_id is None:
        return list(organization_ids(after=after))
    if db.session.get(Organization, organization_id) is None:
        raise click.ClickException(str(UnknownOrganization(organization_id)))
    return [organization_id]


@contextmanager
def _progress(total: int, *, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A click progress bar on a terminal; a plain line every few seconds otherwise; nothing when quiet."""
    if quiet:
        yield lambda _organization_id: None
        return
    if sys.stderr.isatty():
        with click.progressbar(length=total, label="Rebuilding summaries", file=sys.stderr) as bar:
            yield lambda _organization_id: bar.update(1)
        return
    done, started, last = 0, time.monotonic(), time.monotonic()

    def step(organization_id: int) -> None:
        nonlocal done, last
        done += 1
        if done == total or time.monotonic() - last >= PLAIN_PROGRESS_SECONDS:
            last = time.monotonic()
            rate = done / max(last - started, 1e-9)
            click.echo(f"rebuilt {done}/{total} organisations (last id {organization_id}, {rate:.1f}/s)", err=True)

    yield step


@summaries_cli.command(
    "rebuild",
    help="Recompute summaries, daily figures and anomaly episodes from the ledger (one commit per organisation).",
)
@click.option("--org", "organization_id", type=int, default=None, help="Only this organisation.")
@click.option("--after", type=int, default=None, help="Resume: only organisations with a larger id.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@database_errors_as_messages
def summaries_rebuild(organization_id: int | None, after: int | None, quiet: bool) -> None:
    from webapp.read_model.store import rebuild

    ids = _selected(organization_id, after=after)
    with _progress(len(ids), quiet=quiet) as advance:
        for current in ids:
            rebuild(current)
            db.session.commit()
            advance(current)
    if not quiet:
        click.echo(f"Rebuilt the read model of {len(ids)} organisation(s).")


@summaries_cli.command(
    "rebase",
    help="Move every summary's 7-day change base to today's week-ago day (the scheduler does it after 00:00 UTC).",
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@database_errors_as_messages
def summaries_rebase(quiet: bool) -> None:
    from webapp.cli.progress import rows_progress
    from webapp.domain.week_change import week_ago_day
    from webapp.models.types import utcnow
    from webapp.read_model.change_base import rebase, to_move

    now = utcnow()
    total = to_move(now)
    db.session.commit()  # (on SQLite a transaction that has read cannot write after another one did)
    with rows_progress(total, "Rebasing the 7-day change", quiet=quiet) as advance:
        moved = rebase(now, advance=lambda batch: advance(batch, batch))
    if not quiet:
        click.echo(f"Moved the 7-day change base of {moved} summaries to {week_ago_day(now).isoformat()}.")


@summaries_cli.command(
    "check", help="Compare every stored summary and daily row with a recomputation; exit 1 on any difference."
)
@click.option("--org", "organization_id", type=int, default=None, help="Only this organisation.")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@database_errors_as_messages
def summaries_check(organization_id: int | None, as_json: bool) -> None:
    from webapp.read_model.store import differences

    ids = _selected(organization_id)
    found: list[Difference] = []
    for current in ids:
        found += differences(current)
        db.session.rollback()  # read only: end each organisation's snapshot of the data
    _report(found, checked=len(ids), as_json=as_json)
    if found:
        sys.exit(1)


def _report(rows: Sequence[Difference], *, checked: int, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"organizations_checked": checked, "differences": [d.as_json() for d in rows]}))
        return
    for difference in rows:
        click.echo(difference.describe())
    click.echo(f"{len(rows)} difference(s) in {checked} organisation(s).")
    if rows:  # after an upgrade that changed the read model's rules (docs/data-model.md) this is expected
        click.echo("`flask summaries rebuild` (or with --org ID) recomputes them from the ledger.")
