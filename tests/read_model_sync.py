"""Keep the read model beside ledger rows that tests insert directly (factories, raw ORM objects).

Collection rebuilds an organisation's summary and daily figures in the same transaction as the
snapshot or check it writes (SPEC §8); tests that insert ledger rows without collection get the same
through this listener: after a flush that added or changed a snapshot or a collection state, the
organisation's read model is rebuilt with `webapp.read_model.store.rebuild`, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.models import BalanceSnapshot, CollectionState, CostSnapshot
from webapp.read_model.store import rebuild

LEDGER = (BalanceSnapshot, CostSnapshot, CollectionState)
_PENDING = "read_model_sync_pending"


def _collect(session: Session, flush_context: object) -> None:
    touched = {obj.organization_id for obj in (*session.new, *session.dirty) if isinstance(obj, LEDGER)}
    if touched:
        session.info.setdefault(_PENDING, set()).update(touched)


def _rebuild(session: Session, flush_context: object) -> None:
    pending = session.info.pop(_PENDING, set())
    with session.no_autoflush:
        for organization_id in sorted(pending):
            rebuild(organization_id)


@contextmanager
def read_model_kept() -> Iterator[None]:
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "after_flush_postexec", _rebuild)
    try:
        yield
    finally:
        event.remove(Session, "after_flush_postexec", _rebuild)
        event.remove(Session, "after_flush", _collect)
