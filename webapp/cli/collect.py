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


def _enqueue(kind: CollectionKind, org_id: int | None, months: list[tuple[int, int]] | None, as_json: bool) -> None:
    from redis.exceptions import RedisError

    from webapp.collection.collect_now import QueueUnavailable, collect_now

    try:
        result = collect_now(org_id, kinds=(kind,), months=months, queued=True)
    except (QueueUnavailable, RedisError) as error:
        raise click.ClickException(f"cannot enqueue: {error}") from None
    emit(as_json, {"kind": kind, "job_ids": result.job_ids}, f"Queued {len(result.job_ids)} {kind} job(s).")


@database_errors_as_messages
def _run(
    kind: CollectionKind, org_id: int | None, months: list[tuple[int, int]] | None, as_json: bool, enqueue: bool = False
) -> None:
    from webapp.collection.rules import run_collection

    ids = _organization_ids(org_id)
    if enqueue:
        return _enqueue(kind, org_id, months, as_json)
    try:
        provider = get_provider()
    except ProviderError as error:
        raise click.ClickException(str(error)) from None
    run = run_collection(kind, provider, organization_ids=ids, months=months)
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
    help="Also the closed months of the last two years, as a first collection asks (for organisations collected "
    "before it did).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--enqueue", is_flag=True, help="Send the work to the RQ workers (REDIS_URL) instead of running it here.")
def collect_costs(
    org_id: int | None, month: tuple[int, int] | None, history: bool, as_json: bool, enqueue: bool
) -> None:
    from webapp.collection.rules import cost_months
    from webapp.models.types import utcnow

    if month and history:
        raise click.UsageError("--month and --history cannot be combined.")
    months = [month] if month else [(m.year, m.month) for m in cost_months(utcnow(), first=True)] if history else None
    _run(CollectionKind.COSTS, org_id, months, as_json, enqueue)
