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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from webapp.collection.ledger_writer import (
    BalanceCheck,
    CostCheck,
    begin_check,
    write_checks,
    write_failure,
)
from webapp.collection.state import never_succeeded
from webapp.collection.validation import validate_balance, validate_costs
from webapp.domain.months import Month
from webapp.domain.spend_model import PAST_MONTHS
from webapp.extensions import db
from webapp.models import CollectionOutcome, CollectionRun, CostSnapshot, Organization
from webapp.models.collection import CollectionKind
from webapp.models.types import utcnow
from webapp.providers import Provider, ProviderError
from webapp.read_model.refresh import first_snapshot_at

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


def organization_ref(organization_id: int) -> str:
    """The organisation's account at the provider (a plain read: the caller ends its transaction)."""
    ref = db.session.scalar(select(Organization.provider_account_ref).where(Organization.id == organization_id))
    if ref is None:
        raise OrganizationNotFound(f"no organisation with id {organization_id}")
    return ref


def _fail(organization_id: int, kind: CollectionKind, at: datetime, reason: str, started: float) -> OrgOutcome:
    reason = capped(reason)
    write_failure(organization_id, kind, at, reason)
    log.warning("collect %s org=%s failed: %s", kind, organization_id, reason)
    return OrgOutcome(organization_id, "failed", reason, _elapsed_ms(started))


def capped(reason: str) -> str:
    """A stored failure reason: at most MAX_REASON_CHARS characters, an ellipsis marking the cut."""
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def collect_balance(
    organization_id: int, provider: Provider, *, as_of: datetime | None = None, ref: str | None = None
) -> OrgOutcome:
    """Check one organisation's balance; write a snapshot only if it moved. Never commits.

    `ref`: the provider account, when the caller read it and ended that read before asking the provider."""
    started, at = time.monotonic(), as_of or utcnow()
    ref = ref or organization_ref(organization_id)
    try:
        reading = validate_balance(provider.balance(ref, as_of=at))
    except ProviderError as error:
        return _fail(organization_id, CollectionKind.BALANCES, at, str(error), started)
    written, _ = write_checks(organization_id, balances=[BalanceCheck(at, reading)])
    return OrgOutcome(organization_id, "written" if written else "unchanged", None, _elapsed_ms(started))


def collect_costs(
    organization_id: int,
    year: int,
    month: int,
    provider: Provider,
    *,
    as_of: datetime | None = None,
    slot_start: datetime | None = None,
    ref: str | None = None,
) -> OrgOutcome:
    """Collect one organisation's costs of one month; a snapshot on every run once costs exist.

    With `slot_start` (scheduled runs), at most one snapshot per organisation and
    month is written per slot: a duplicate or retried job of a slot that already
    wrote one records "unchanged" instead. The database, not Redis, decides. Never commits.
    """
    started, at = time.monotonic(), as_of or utcnow()
    ref = ref or organization_ref(organization_id)
    try:
        report = provider.month_costs(ref, year, month, as_of=at)
        if report is not None:
            validate_costs(report)
    except ProviderError as error:
        return _fail(organization_id, CollectionKind.COSTS, at, str(error), started)

    begin_check(organization_id, CollectionKind.COSTS, at)
    outcome = "no_costs"
    if report is not None:
        duplicate = _slot_has_snapshot(organization_id, year, month, slot_start or at, exact=slot_start is None)
        outcome = "unchanged" if duplicate else "written"
        report = None if duplicate else report
    write_checks(organization_id, costs=[CostCheck(at, year, month, report)])
    return OrgOutcome(organization_id, outcome, None, _elapsed_ms(started))


def _slot_has_snapshot(organization_id: int, year: int, month: int, since: datetime, *, exact: bool) -> bool:
    """A snapshot of this month collected in this slot (at `since` exactly, without a slot) already exists."""
    when = CostSnapshot.collected_at == since if exact else CostSnapshot.collected_at >= since
    found = db.session.scalar(
        select(CostSnapshot.id)
        .where(CostSnapshot.organization_id == organization_id, CostSnapshot.year == year, CostSnapshot.month == month)
        .where(when)
        .limit(1)
    )
    return found is not None


def default_cost_months(at: datetime) -> list[Month]:
    """The current month, and the previous one during the first days of a new month."""
    current = Month.of(at)
    return [current.previous, current] if at.day <= PREVIOUS_MONTH_GRACE_DAYS else [current]


def history_months(at: datetime) -> list[Month]:
    """The closed months an organisation's first cost collection also asks for, newest first: up to PAST_MONTHS
    before the current one, less those collected anyway (default_cost_months). The forecast's long-run level
    reads them where the daily history is shorter than its two years (docs/collector.md)."""
    current, collected = Month.of(at), set(default_cost_months(at))
    return [month for month in (current.shift(-back) for back in range(1, PAST_MONTHS + 1)) if month not in collected]


def cost_months(at: datetime, *, first: bool) -> list[Month]:
    """The months a cost collection at `at` asks for: the default ones, and at the first the history after them
    (the current month's figures come first)."""
    return [*default_cost_months(at), *history_months(at)] if first else default_cost_months(at)


def months_before_ledger(organization_id: int, at: datetime) -> list[Month]:
    """`flask collect costs --history`: the PAST_MONTHS closed months before the month of the organisation's
    first snapshot, newest first (they had ended when the ledger began: they change no daily row); without a
    ledger, what a first collection at `at` asks."""
    first_at = first_snapshot_at(organization_id)
    if first_at is None:
        return cost_months(at, first=True)
    return [Month.of(first_at).shift(-back) for back in range(1, PAST_MONTHS + 1)]


def active_organization_ids() -> list[int]:
    return list(db.session.scalars(select(Organization.id).where(Organization.active).order_by(Organization.id)))


def run_collection(
    kind: CollectionKind,
    provider: Provider,
    *,
    organization_ids: list[int] | None = None,
    months: list[tuple[int, int]] | None = None,
    trigger: str = "cli",
    as_of: datetime | None = None,
    history: bool = False,
) -> CollectionRun:
    """One recorded run of `kind` over the given (default: all active) organisations, a transaction each.

    Each organisation is observed at its own moment (or at `as_of`, for replays and tests)."""
    run = CollectionRun(kind=kind, trigger=trigger, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    ids = active_organization_ids() if organization_ids is None else organization_ids
    for organization_id in ids:
        for result in _collect_kind(kind, organization_id, provider, months, as_of, None, history=history):
            record_outcome(run, result)
            db.session.commit()
    run.finished_at = utcnow()
    db.session.commit()
    return run


def _collect_kind(
    kind: CollectionKind,
    organization_id: int,
    provider: Provider,
    months: list[tuple[int, int]] | None,
    as_of: datetime | None,
    slot_start: datetime | None,
    ref: str | None = None,
    *,
    history: bool = False,
) -> Iterator[OrgOutcome]:
    """Read the account (unless the caller did), end that read (no lock held while the provider
    answers), then collect; each outcome is yielded before the next month is asked, for the caller to commit.
    Cost months: `months`, else the default ones (the history too at the first collection), or with `history`
    the months before the ledger (months_before_ledger)."""
    if ref is None:
        try:
            ref = organization_ref(organization_id)
        except OrganizationNotFound as error:
            db.session.rollback()
            yield OrgOutcome(organization_id, "failed", capped(str(error)))
            return
    db.session.commit()
    if kind == CollectionKind.BALANCES:
        yield _guarded(collect_balance, organization_id, provider, as_of=as_of, ref=ref)
        return
    at = as_of or utcnow()
    if history:
        wanted: Sequence[tuple[int, int]] = months_before_ledger(organization_id, at)
    else:
        wanted = months or cost_months(
            at, first=organization_id in never_succeeded(CollectionKind.COSTS, [organization_id])
        )
    for year, month in wanted:
        yield _guarded(
            collect_costs, organization_id, year, month, provider, as_of=as_of, slot_start=slot_start, ref=ref
        )


def collect_organization(
    kind: CollectionKind,
    organization_id: int,
    provider: Provider,
    *,
    month: tuple[int, int] | None = None,
    trigger: str = "schedule",
    slot_start: datetime | None = None,
) -> CollectionRun:
    """One organisation (and one cost month) as one recorded run in ONE transaction.

    The provider is asked first, outside any transaction; then the run, its
    outcome, the snapshot (if any), the freshness state and the read model are committed
    together. A process killed before that commit leaves nothing behind.
    Raises OrganizationNotFound if the organisation does not exist (any more).
    """
    started_at = at = utcnow()
    ref = organization_ref(organization_id)
    months = [month or default_cost_months(at)[-1]]
    (result,) = _collect_kind(kind, organization_id, provider, months, at, slot_start, ref)
    counts = {name: int(name == result.outcome) for name in ("written", "unchanged", "no_costs", "failed")}
    values = {"kind": kind, "trigger": trigger, "started_at": started_at, "finished_at": utcnow(), **counts}
    run_id = db.session.execute(insert(CollectionRun).values(values).returning(CollectionRun.id)).scalar_one()
    db.session.execute(insert(CollectionOutcome).values(_outcome_values(run_id, result)))
    db.session.commit()
    return CollectionRun(id=run_id, **values)  # what was committed, as a detached record (no reload)


def record_outcome(run: CollectionRun, result: OrgOutcome) -> None:
    db.session.add(CollectionOutcome(**_outcome_values(run.id, result)))
    setattr(run, result.outcome, getattr(run, result.outcome) + 1)


def _outcome_values(run_id: int, result: OrgOutcome) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "organization_id": result.organization_id,
        "outcome": result.outcome,
        "reason": result.reason,
        "duration_ms": result.duration_ms,
    }


def _guarded(collect: Callable[..., OrgOutcome], organization_id: int, *args: Any, **kwargs: Any) -> OrgOutcome:
    """Contain an unexpected error to its organisation: undo its writes, record it, carry on."""
    started = time.monotonic()
    try:
        return collect(organization_id, *args, **kwargs)
    except OrganizationNotFound as error:
        db.session.rollback()
        return OrgOutcome(organization_id, "failed", capped(str(error)), _elapsed_ms(started))
    except Exception as error:
        db.session.rollback()
        log.exception("collect org=%s crashed", organization_id)
        kind = CollectionKind.BALANCES if collect is collect_balance else CollectionKind.COSTS
        reason = f"internal error: {type(error).__name__}"
        return _fail(organization_id, kind, kwargs.get("as_of") or utcnow(), reason, started)
