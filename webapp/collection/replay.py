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

from sqlalchemy import insert, select

from webapp.collection.ledger_writer import BalanceCheck, CostCheck, write_checks
from webapp.collection.rules import OrgOutcome, default_cost_months, record_outcome
from webapp.collection.validation import validate_balance, validate_costs
from webapp.extensions import db
from webapp.models import CollectionRun, CollectionState, Organization
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


def _resume_after(organization_id: int, kind: CollectionKind, default: datetime) -> datetime:
    state = db.session.get(CollectionState, (organization_id, kind))
    if state is None or state.last_success_at is None:
        return default
    return max(default, state.last_success_at)


def balance_checks(
    organization: Organization, provider: Provider, start: datetime, end: datetime
) -> list[BalanceCheck]:
    """A balance check at every slot after the last recorded one (the writer skips unchanged ones)."""
    ref, resume = organization.provider_account_ref, _resume_after(organization.id, CollectionKind.BALANCES, start)
    return [
        BalanceCheck(slot, validate_balance(provider.balance(ref, as_of=slot))) for slot in slots_between(resume, end)
    ]


def cost_checks(organization: Organization, provider: Provider, start: datetime, end: datetime) -> list[CostCheck]:
    """A cost check of each collected month at every slot after the last recorded one."""
    ref, checks = organization.provider_account_ref, []
    last: dict[tuple[int, int], CostReport] = {}
    for slot in slots_between(_resume_after(organization.id, CollectionKind.COSTS, start), end):
        for year, month in default_cost_months(slot):
            report = provider.month_costs(ref, year, month, as_of=slot)
            if report is not None and last.get((year, month)) != report:  # validate each new answer once
                last[(year, month)] = validate_costs(report)
            checks.append(CostCheck(slot, year, month, report))
    return checks


def replay_organization(
    organization: Organization, provider: Provider, start: datetime, end: datetime
) -> tuple[int, int]:
    """One organisation's history through the collection write path, in the caller's transaction."""
    balances = balance_checks(organization, provider, start, end)
    costs = cost_checks(organization, provider, start, end)
    return write_checks(organization.id, balances=balances, costs=costs)


def load_demo_data(
    *,
    orgs: int,
    days: int,
    provider: Provider,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Create the demo organisations and replay their history; `progress(organisations, rows)` after each."""
    now = now or utcnow()
    start = now - timedelta(days=days)
    organizations, created = ensure_organizations(orgs, start)
    summary = DemoSummary(organizations_created=created, organization_ids=[org.id for org in organizations])
    runs = {kind: CollectionRun(kind=kind, trigger="demo-data", started_at=utcnow()) for kind in CollectionKind}
    db.session.add_all(runs.values())
    db.session.commit()
    for organization in organizations:
        try:
            balance_rows, cost_rows = replay_organization(organization, provider, start, now)
            outcomes = {
                CollectionKind.BALANCES: "written" if balance_rows else "unchanged",
                CollectionKind.COSTS: "written" if cost_rows else "no_costs",
            }
            reason = None
        except ProviderError as error:
            db.session.rollback()
            balance_rows = cost_rows = 0
            outcomes, reason = dict.fromkeys(CollectionKind, "failed"), str(error)
        for kind, run in runs.items():
            record_outcome(run, OrgOutcome(organization.id, outcomes[kind], reason))
        db.session.commit()
        summary.balance_rows += balance_rows
        summary.cost_rows += cost_rows
        if progress:
            progress(1, balance_rows + cost_rows)
    for run in runs.values():
        run.finished_at = utcnow()
    db.session.commit()
    return summary
