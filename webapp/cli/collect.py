"""`flask collect balances|costs`: run a collection here or enqueue it for the workers (SPEC §3, §6)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.cli.common import database_errors_as_messages, emit, month_option
from webapp.extensions import db
from webapp.models import Organization
from webapp.models.collection import CollectionKind
from webapp.providers import ProviderError, get_provider
from webapp.routing import MAX_ID

collect_cli = AppGroup("collect", help="Collect balances or costs from the provider.")


def _organization_ids(org_id: int | None) -> list[int] | None:
    if org_id is None:
        return None
    if db.session.scalar(select(Organization.id).where(Organization.id == org_id)) is None:
        raise click.ClickException(f"No organisation with id {org_id}.")
    return [org_id]


def _enqueue(
    kind: CollectionKind, org_id: int | None, month: tuple[int, int] | None, as_json: bool, history: bool
) -> None:
    from redis.exceptions import RedisError

    from webapp.collection.collect_now import QueueUnavailable, collect_now

    try:
        result = collect_now(org_id, kinds=(kind,), months=[month] if month else None, queued=True, history=history)
    except (QueueUnavailable, RedisError) as error:
        raise click.ClickException(f"cannot enqueue: {error}") from None
    emit(as_json, {"kind": kind, "job_ids": result.job_ids}, f"Queued {len(result.job_ids)} {kind} job(s).")


@database_errors_as_messages
def _run(
    kind: CollectionKind,
    org_id: int | None,
    month: tuple[int, int] | None,
    as_json: bool,
    enqueue: bool = False,
    history: bool = False,
) -> None:
    from webapp.collection.rules import run_collection

    ids = _organization_ids(org_id)
    if enqueue:
        return _enqueue(kind, org_id, month, as_json, history)
    try:
        provider = get_provider()
    except ProviderError as error:
        raise click.ClickException(str(error)) from None
    run = run_collection(kind, provider, organization_ids=ids, months=[month] if month else None, history=history)
    counts = {k: getattr(run, k) for k in ("written", "unchanged", "no_costs", "failed")}
    emit(
        as_json,
        {"run_id": run.id, "kind": kind, **counts},
        f"Run {run.id} ({kind}): " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()),
    )
    if counts["failed"]:
        sys.exit(1)


@collect_cli.command("balances", help="Check balances now (all active organisations, or --org).")
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), help="Only this organisation id.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--enqueue", is_flag=True, help="Send the work to the RQ workers (REDIS_URL) instead of running it here.")
def collect_balances(org_id: int | None, as_json: bool, enqueue: bool) -> None:
    _run(CollectionKind.BALANCES, org_id, None, as_json, enqueue)


@collect_cli.command(
    "costs",
    help="Collect monthly costs now (current month, plus the previous one in its first days; an organisation's "
    "first cost collection also asks for the closed months of the last two years).",
)
@click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), help="Only this organisation id.")
@click.option("--month", callback=month_option, help="Only this month, as YYYY-MM.")
@click.option(
    "--history",
    is_flag=True,
    help="Only the closed months an organisation's first collection would have asked for: the 24 before its "
    "ledger's first month (for organisations collected before the first collection asked for them).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--enqueue", is_flag=True, help="Send the work to the RQ workers (REDIS_URL) instead of running it here.")
def collect_costs(
    org_id: int | None, month: tuple[int, int] | None, history: bool, as_json: bool, enqueue: bool
) -> None:
    if month and history:
        raise click.UsageError("--month and --history cannot be combined.")
    _run(CollectionKind.COSTS, org_id, month, as_json, enqueue, history)
