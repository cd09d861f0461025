"""`flask demo-data`: a realistic dataset produced by the collection rules.

History is made by replaying collection runs every three hours across the
past D days against the demo provider, applying the same rules as live
collection (validate_*, balance_changed, cost_snapshot_values,
default_cost_months), with bulk inserts so that 1,000 organisations over a
year take minutes. Re-running resumes after each organisation's last check,
so nothing is duplicated.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from webapp.collection.rules import OrgOutcome, default_cost_months, record_outcome
from webapp.collection.state import record_success
from webapp.collection.validation import balance_changed, cost_snapshot_values, validate_balance, validate_costs
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionRun, CollectionState, CostSnapshot, Organization, User
from webapp.models.types import utcnow
from webapp.providers import CostReport, Provider, ProviderError
from webapp.queries.balances import latest_balance_stmt
from webapp.services.users import assigned_organization_ids, create_user, generate_password, set_assignments

SLOT = timedelta(hours=3)
INSERT_CHUNK = 2000
ADMIN_EMAIL = "admin@example.com"
MANAGER_EMAIL = "manager@example.com"
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
    credentials: dict[str, str] = field(default_factory=dict)


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
    return organizations, len(missing)


def ensure_users(organizations: list[Organization], credentials_path: Path) -> dict[str, str]:
    """An admin and a manager (assigned every other organisation, at most 12); passwords kept
    under instance/ so `make run` can print them again."""
    saved = json.loads(credentials_path.read_text()) if credentials_path.exists() else {}
    for email, role in ((ADMIN_EMAIL, "admin"), (MANAGER_EMAIL, "manager")):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            saved[email] = generate_password()
            user = create_user(email=email, role=role, password=saved[email])
        if role == "manager" and not assigned_organization_ids(user.id):
            set_assignments(user.id, {org.id for org in organizations[::2][:12]})
    db.session.commit()
    credentials_path.parent.mkdir(parents=True, exist_ok=True)
    credentials_path.write_text(json.dumps(saved, indent=2))
    credentials_path.chmod(0o600)
    return saved


def _resume_after(organization_id: int, kind: str, default: datetime) -> datetime:
    state = db.session.get(CollectionState, (organization_id, kind))
    if state is None or state.last_success_at is None:
        return default
    return max(default, state.last_success_at)


def _store(
    model: type[BalanceSnapshot] | type[CostSnapshot],
    rows: list[dict[str, Any]],
    organization_id: int,
    kind: str,
    last_check: datetime | None,
) -> None:
    """Bulk-insert the replayed rows and record the last replayed check."""
    for start in range(0, len(rows), INSERT_CHUNK):
        db.session.execute(insert(model), rows[start : start + INSERT_CHUNK])
    if last_check is not None:
        record_success(organization_id, kind, last_check)


def replay_balances(
    organization: Organization, provider: Provider, start: datetime, end: datetime
) -> tuple[OrgOutcome, int]:
    """Replay balance collections at every slot: skip-unchanged, checks recorded."""
    latest = db.session.scalar(latest_balance_stmt(organization.id))
    rows, last = [], None
    for slot in slots_between(_resume_after(organization.id, "balances", start), end):
        reading = validate_balance(provider.balance(organization.provider_account_ref, as_of=slot))
        if balance_changed(latest, reading):
            latest = BalanceSnapshot(amount=reading.amount, currency=reading.currency, collected_at=slot)
            rows.append(
                {
                    "organization_id": organization.id,
                    "amount": reading.amount,
                    "currency": reading.currency,
                    "collected_at": slot,
                }
            )
        last = slot
    _store(BalanceSnapshot, rows, organization.id, "balances", last)
    return OrgOutcome(organization.id, "written" if rows else "unchanged"), len(rows)


def replay_costs(
    organization: Organization, provider: Provider, start: datetime, end: datetime
) -> tuple[OrgOutcome, int]:
    """Replay cost collections at every slot: a snapshot per run once the month has costs."""
    rows: list[dict[str, Any]] = []
    last: datetime | None = None
    previous: dict[tuple[int, int], tuple[CostReport, dict[str, Any]]] = {}
    for slot in slots_between(_resume_after(organization.id, "costs", start), end):
        for year, month in default_cost_months(slot):
            report = provider.month_costs(organization.provider_account_ref, year, month, as_of=slot)
            if report is None:
                continue
            before = previous.get((year, month))
            if before is not None and before[0] == report:  # same answer: same row, new moment
                rows.append({**before[1], "collected_at": slot})
                continue
            row = cost_snapshot_values(organization.id, year, month, slot, validate_costs(report))
            previous[(year, month)] = (report, row)
            rows.append(row)
        last = slot
    _store(CostSnapshot, rows, organization.id, "costs", last)
    return OrgOutcome(organization.id, "written" if rows else "no_costs"), len(rows)


def load_demo_data(
    *,
    orgs: int,
    days: int,
    provider: Provider,
    credentials_path: Path,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    now = now or utcnow()
    start = now - timedelta(days=days)
    organizations, created = ensure_organizations(orgs, start)
    summary = DemoSummary(organizations_created=created)
    summary.credentials = ensure_users(organizations, credentials_path)
    runs = {kind: CollectionRun(kind=kind, trigger="demo-data", started_at=utcnow()) for kind in ("balances", "costs")}
    db.session.add_all(runs.values())
    db.session.commit()
    for organization in organizations:
        try:
            balances, balance_rows = replay_balances(organization, provider, start, now)
            costs, cost_rows = replay_costs(organization, provider, start, now)
        except ProviderError as error:
            db.session.rollback()
            balances = costs = OrgOutcome(organization.id, "failed", str(error))
            balance_rows = cost_rows = 0
        record_outcome(runs["balances"], balances)
        record_outcome(runs["costs"], costs)
        db.session.commit()
        summary.balance_rows += balance_rows
        summary.cost_rows += cost_rows
        if progress:
            progress(1)
    for run in runs.values():
        run.finished_at = utcnow()
    db.session.commit()
    return summary
