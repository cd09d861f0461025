"""`flask demo-data`: a realistic dataset produced by the collection rules.

History is made by replaying collection runs every three hours across the
past D days against the demo provider: each organisation's checks are validated
like live ones and written as one bulk batch through the collection write path
(ledger_writer.write_checks: skip-unchanged balances, a cost snapshot per run,
state, read model), one transaction per organisation. Re-running resumes after
each organisation's last check, so nothing is duplicated. The demo logins are
the CLI's business (webapp/cli/demo.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from webapp.collection.ledger_writer import BalanceCheck, CostCheck, write_checks
from webapp.collection.rules import cost_months
from webapp.collection.split import run_split
from webapp.collection.state import never_succeeded
from webapp.collection.validation import validate_balance, validate_costs
from webapp.extensions import db
from webapp.models import CollectionOutcome, CollectionRun, CollectionState, Organization
from webapp.models.collection import CollectionKind
from webapp.models.types import utcnow
from webapp.providers import CostReport, Provider, ProviderError

SLOT = timedelta(hours=3)
_FIRST = (
    "Northwind",
    "Bluebird",
    "Copperleaf",
    "Harbor",
    "Lumen",
    "Juniper",
    "Atlas",
    "Brightwater",
    "Kestrel",
    "Meridian",
    "Oakridge",
    "Pinnacle",
    "Quartz",
    "Redwood",
    "Silverline",
    "Tidewater",
)
_SECOND = (
    "Logistics",
    "Health",
    "Telecom",
    "Retail",
    "Analytics",
    "Foods",
    "Energy",
    "Studios",
    "Mobility",
    "Labs",
    "Insurance",
    "Travel",
)


@dataclass
class DemoSummary:
    organizations_created: int = 0
    balance_rows: int = 0
    cost_rows: int = 0
    organization_ids: list[int] = field(default_factory=list)


def demo_ref(index: int) -> str:
    return f"demo-{index:04d}"


def demo_name(index: int) -> str:
    rng = random.Random(index)
    suffix = "" if index <= len(_FIRST) * len(_SECOND) else f" {index}"
    return f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}{suffix}"


def slots_between(start: datetime, end: datetime) -> Iterator[datetime]:
    """3-hour UTC slot boundaries in (start, end]."""
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    slot = epoch + ((start - epoch) // SLOT + 1) * SLOT
    while slot <= end:
        yield slot
        slot += SLOT


def _threshold(index: int) -> Decimal | None:
    return None if index % 3 == 0 else Decimal(random.Random(index).choice((250, 500, 1000, 2500)))


def ensure_organizations(count: int, created_at: datetime) -> tuple[list[Organization], int]:
    """The demo organisations demo-0001 … demo-N, creating the missing ones in bulk."""
    refs = [demo_ref(i) for i in range(1, count + 1)]
    existing = set(
        db.session.scalars(select(Organization.provider_account_ref).where(Organization.provider_account_ref.in_(refs)))
    )
    missing = [
        {
            "name": demo_name(i),
            "provider_account_ref": ref,
            "active": True,
            "created_at": created_at,
            "updated_at": created_at,
            "low_balance_threshold": _threshold(i),
        }
        for i, ref in enumerate(refs, start=1)
        if ref not in existing
    ]
    if missing:
        db.session.execute(insert(Organization), missing)
        db.session.commit()
    organizations = list(
        db.session.scalars(
            select(Organization).where(Organization.provider_account_ref.in_(refs)).order_by(Organization.id)
        )
    )
    for organization in organizations:  # loaded and detached: each commit would otherwise expire them all
        db.session.expunge(organization)
    return organizations, len(missing)


def _resume_after(organization_id: int, start: datetime) -> dict[CollectionKind, datetime]:
    """Where each kind's replay starts: after its last recorded success (one query for both)."""
    resume = dict.fromkeys(CollectionKind, start)
    states = db.session.execute(
        select(CollectionState.kind, CollectionState.last_success_at).where(
            CollectionState.organization_id == organization_id
        )
    )
    for kind, last_success_at in states:
        if last_success_at is not None and kind in resume:
            resume[CollectionKind(kind)] = max(start, last_success_at)
    return resume


def balance_checks(
    organization: Organization, provider: Provider, resume: datetime, end: datetime
) -> list[BalanceCheck]:
    """A balance check at every slot after `resume` (the writer skips unchanged ones)."""
    ref = organization.provider_account_ref
    return [
        BalanceCheck(slot, validate_balance(provider.balance(ref, as_of=slot))) for slot in slots_between(resume, end)
    ]


def cost_checks(
    organization: Organization, provider: Provider, resume: datetime, end: datetime, *, first: bool = False
) -> list[CostCheck]:
    """A cost check of each collected month at every slot after `resume`; `first`: the organisation's first
    cost collection, whose first slot also asks for its history (rules.cost_months), as a live one does."""
    ref, checks = organization.provider_account_ref, []
    last: dict[tuple[int, int], CostReport] = {}
    for index, slot in enumerate(slots_between(resume, end)):
        for year, month in cost_months(slot, first=first and index == 0):
            report = provider.month_costs(ref, year, month, as_of=slot)
            before = last.get((year, month))
            if report is not None and before is not report and before != report:  # validate each new answer once
                last[(year, month)] = validate_costs(report)
            checks.append(CostCheck(slot, year, month, report))
    return checks


def replay_organization(
    organization: Organization, provider: Provider, start: datetime, end: datetime
) -> tuple[int, int]:
    """One organisation's history through the collection write path, in the caller's transaction."""
    resume = _resume_after(organization.id, start)
    balances = balance_checks(organization, provider, resume[CollectionKind.BALANCES], end)
    first = organization.id in never_succeeded(CollectionKind.COSTS, [organization.id])
    costs = cost_checks(organization, provider, resume[CollectionKind.COSTS], end, first=first)
    return write_checks(organization.id, balances=balances, costs=costs, live=False)


@dataclass(frozen=True)
class _Replay:
    """Replaying one organisation: its history and its outcomes in the runs, committed together."""

    provider: Provider
    start: datetime
    end: datetime
    runs: dict[CollectionKind, int]

    def __call__(self, organization: Organization) -> tuple[int, int]:
        if db.session.get_bind().dialect.name == "postgresql":
            # demo history, resumable: the commit need not wait for the disk (a crash loses at most the
            # last organisations' transactions, whole, and a re-run replays them)
            db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        try:
            balance_rows, cost_rows = replay_organization(organization, self.provider, self.start, self.end)
            outcomes = {
                CollectionKind.BALANCES: "written" if balance_rows else "unchanged",
                CollectionKind.COSTS: "written" if cost_rows else "no_costs",
            }
            reason = None
        except ProviderError as error:
            db.session.rollback()
            balance_rows = cost_rows = 0
            outcomes, reason = dict.fromkeys(CollectionKind, "failed"), str(error)
        finished = utcnow()
        rows = [
            {"run_id": run_id, "organization_id": organization.id, "outcome": outcomes[kind], "reason": reason}
            for kind, run_id in self.runs.items()
        ]
        db.session.execute(insert(CollectionOutcome), [{**row, "finished_at": finished} for row in rows])
        db.session.commit()
        return balance_rows, cost_rows


def load_demo_data(
    *,
    orgs: int,
    days: int,
    provider: Provider,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    processes: int = 1,
) -> DemoSummary:
    """Create the demo organisations and replay their history; `progress(organisations, rows)` after each.

    `processes` > 1 replays organisations in that many processes where collection.split can."""
    now = now or utcnow()
    start = now - timedelta(days=days)
    organizations, created = ensure_organizations(orgs, start)
    summary = DemoSummary(organizations_created=created, organization_ids=[org.id for org in organizations])
    runs = {kind: CollectionRun(kind=kind, trigger="demo-data", started_at=utcnow()) for kind in CollectionKind}
    db.session.add_all(runs.values())
    db.session.commit()
    run_ids = {kind: run.id for kind, run in runs.items()}

    def done(rows: tuple[int, int]) -> None:
        summary.balance_rows += rows[0]
        summary.cost_rows += rows[1]
        if progress:
            progress(1, rows[0] + rows[1])

    try:
        run_split(organizations, _Replay(provider, start, now, run_ids), done, processes)
    finally:
        _finish_runs(run_ids)
    return summary


def _finish_runs(run_ids: dict[CollectionKind, int]) -> None:
    """Each run's counters from its recorded outcomes (the replay processes only add outcomes)."""
    db.session.rollback()
    for run_id in run_ids.values():
        counted = db.session.execute(
            select(CollectionOutcome.outcome, func.count())
            .where(CollectionOutcome.run_id == run_id)
            .group_by(CollectionOutcome.outcome)
        )
        counts = {row[0]: row[1] for row in counted}
        run = db.session.get_one(CollectionRun, run_id)
        for outcome in ("written", "unchanged", "no_costs", "failed"):
            setattr(run, outcome, counts.get(outcome, 0))
        run.finished_at = utcnow()
    db.session.commit()
