"""The collection rules: what a balance or cost collection writes, and when.

Balances are skip-unchanged: a row only when amount or currency differs from
the latest row, while the check itself is always recorded. Cost snapshots are
written on every run once the provider reports costs for the month, and never
before. A provider failure writes nothing for that organisation and is
recorded with its reason. Each organisation is its own transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from webapp.collection.state import record_attempt, record_failure, record_success
from webapp.collection.validation import balance_changed, cost_snapshot_values, validate_balance, validate_costs
from webapp.extensions import db
from webapp.models import BalanceSnapshot, CollectionOutcome, CollectionRun, CostSnapshot, Organization
from webapp.models.collection import lock_organization
from webapp.models.types import utcnow
from webapp.providers import Provider, ProviderError
from webapp.queries.balances import latest_balance_stmt

log = logging.getLogger(__name__)
PREVIOUS_MONTH_GRACE_DAYS = 5
MAX_REASON_CHARS = 300


class OrganizationNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class OrgOutcome:
    organization_id: int
    outcome: str  # written | unchanged | no_costs | failed
    reason: str | None = None
    duration_ms: int = 0


def _organization_ref(organization_id: int) -> str:
    ref = db.session.scalar(select(Organization.provider_account_ref).where(Organization.id == organization_id))
    if ref is None:
        raise OrganizationNotFound(f"no organisation with id {organization_id}")
    db.session.commit()  # end the read transaction: hold no lock (SQLite) while the provider answers
    return ref


def _end(commit: bool) -> None:
    """Commit, or (inside collect_organization's single transaction) only flush."""
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def _fail(
    organization_id: int, kind: str, at: datetime, reason: str, started: float, commit: bool = True
) -> OrgOutcome:
    db.session.rollback()
    reason = capped(reason)
    record_failure(organization_id, kind, at, reason)
    _end(commit)
    log.warning("collect %s org=%s failed: %s", kind, organization_id, reason)
    return OrgOutcome(organization_id, "failed", reason, _elapsed_ms(started))


def capped(reason: str) -> str:
    """A stored failure reason: at most MAX_REASON_CHARS characters, an ellipsis marking the cut."""
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def collect_balance(
    organization_id: int, provider: Provider, *, as_of: datetime | None = None, commit: bool = True
) -> OrgOutcome:
    """Check one organisation's balance; write a snapshot only if it moved."""
    started, at = time.monotonic(), as_of or utcnow()
    ref = _organization_ref(organization_id)
    try:
        reading = validate_balance(provider.balance(ref, as_of=at))
    except ProviderError as error:
        return _fail(organization_id, "balances", at, str(error), started, commit)

    lock_organization(organization_id, "balances")
    record_attempt(organization_id, "balances", at)
    latest = db.session.scalar(latest_balance_stmt(organization_id))
    outcome = "unchanged"
    if balance_changed(latest, reading) and (latest is None or at > latest.collected_at):
        db.session.execute(
            insert(BalanceSnapshot),
            [
                {
                    "organization_id": organization_id,
                    "amount": reading.amount,
                    "currency": reading.currency,
                    "collected_at": at,
                }
            ],
        )
        outcome = "written"
    record_success(organization_id, "balances", at)
    _end(commit)
    return OrgOutcome(organization_id, outcome, None, _elapsed_ms(started))


def collect_costs(
    organization_id: int,
    year: int,
    month: int,
    provider: Provider,
    *,
    as_of: datetime | None = None,
    slot_start: datetime | None = None,
    commit: bool = True,
) -> OrgOutcome:
    """Collect one organisation's costs of one month; a snapshot on every run once costs exist.

    With `slot_start` (scheduled runs), at most one snapshot per organisation and
    month is written per slot: a duplicate or retried job of a slot that already
    wrote one records "unchanged" instead. The database, not Redis, decides.
    """
    started, at = time.monotonic(), as_of or utcnow()
    ref = _organization_ref(organization_id)
    try:
        report = provider.month_costs(ref, year, month, as_of=at)
        if report is not None:
            validate_costs(report)
    except ProviderError as error:
        return _fail(organization_id, "costs", at, str(error), started, commit)

    lock_organization(organization_id, "costs")
    record_attempt(organization_id, "costs", at)
    outcome = "no_costs"
    if report is not None:
        duplicate = db.session.scalar(
            select(CostSnapshot.id)
            .where(
                CostSnapshot.organization_id == organization_id,
                CostSnapshot.year == year,
                CostSnapshot.month == month,
                CostSnapshot.collected_at >= slot_start if slot_start else CostSnapshot.collected_at == at,
            )
            .limit(1)
        )
        outcome = "unchanged" if duplicate else "written"
        if not duplicate:
            db.session.execute(insert(CostSnapshot), [cost_snapshot_values(organization_id, year, month, at, report)])
    record_success(organization_id, "costs", at)
    _end(commit)
    return OrgOutcome(organization_id, outcome, None, _elapsed_ms(started))


def default_cost_months(at: datetime) -> list[tuple[int, int]]:
    """The current month, and the previous one during the first days of a new month."""
    months = [(at.year, at.month)]
    if at.day <= PREVIOUS_MONTH_GRACE_DAYS:
        previous = at.replace(day=1) - timedelta(days=1)
        months.insert(0, (previous.year, previous.month))
    return months


def active_organization_ids() -> list[int]:
    return list(db.session.scalars(select(Organization.id).where(Organization.active).order_by(Organization.id)))


def run_collection(
    kind: str,
    provider: Provider,
    *,
    organization_ids: list[int] | None = None,
    months: list[tuple[int, int]] | None = None,
    trigger: str = "cli",
    as_of: datetime | None = None,
) -> CollectionRun:
    """One recorded run of `kind` over the given (default: all active) organisations.

    Each organisation is observed at its own moment (or at `as_of`, for replays and tests)."""
    run = CollectionRun(kind=kind, trigger=trigger, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    ids = active_organization_ids() if organization_ids is None else organization_ids
    for organization_id in ids:
        if kind == "balances":
            results = [_guarded(collect_balance, organization_id, provider, as_of=as_of)]
        else:
            results = [
                _guarded(collect_costs, organization_id, year, month, provider, as_of=as_of)
                for year, month in (months or default_cost_months(as_of or utcnow()))
            ]
        for result in results:
            record_outcome(run, result)
        db.session.commit()
    run.finished_at = utcnow()
    db.session.commit()
    return run


def collect_organization(
    kind: str,
    organization_id: int,
    provider: Provider,
    *,
    month: tuple[int, int] | None = None,
    trigger: str = "schedule",
    slot_start: datetime | None = None,
) -> CollectionRun:
    """One organisation (and one cost month) as one recorded run in ONE transaction.

    The provider is asked first, outside any transaction; then the run, its
    outcome, the snapshot (if any) and the freshness state are committed
    together. A process killed before that commit leaves nothing behind.
    Raises OrganizationNotFound if the organisation does not exist (any more).
    """
    started_at = at = utcnow()
    _organization_ref(organization_id)
    if kind == "balances":
        result = _guarded(collect_balance, organization_id, provider, as_of=at, commit=False)
    else:
        year, number = month or default_cost_months(at)[-1]
        result = _guarded(
            collect_costs, organization_id, year, number, provider, as_of=at, slot_start=slot_start, commit=False
        )
    run = CollectionRun(kind=kind, trigger=trigger, started_at=started_at)
    db.session.add(run)
    db.session.flush()
    record_outcome(run, result)
    run.finished_at = utcnow()
    db.session.commit()
    return run


def record_outcome(run: CollectionRun, result: OrgOutcome) -> None:
    db.session.add(
        CollectionOutcome(
            run_id=run.id,
            organization_id=result.organization_id,
            outcome=result.outcome,
            reason=result.reason,
            duration_ms=result.duration_ms,
        )
    )
    setattr(run, result.outcome, getattr(run, result.outcome) + 1)


def _guarded(collect: Callable[..., OrgOutcome], organization_id: int, *args: Any, **kwargs: Any) -> OrgOutcome:
    """Contain an unexpected error to its organisation: record it, carry on with the others."""
    started = time.monotonic()
    try:
        return collect(organization_id, *args, **kwargs)
    except OrganizationNotFound as error:
        db.session.rollback()
        return OrgOutcome(organization_id, "failed", capped(str(error)), _elapsed_ms(started))
    except Exception as error:
        log.exception("collect org=%s crashed", organization_id)
        kind = "balances" if collect is collect_balance else "costs"
        reason = f"internal error: {type(error).__name__}"
        return _fail(
            organization_id, kind, kwargs.get("as_of") or utcnow(), reason, started, kwargs.get("commit", True)
        )
