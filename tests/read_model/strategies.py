"""Hypothesis strategies for the read-model property tests: sequences of collection events from a start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

STEP = timedelta(hours=3)  # one collection slot
cents = st.integers(min_value=0, max_value=5_000).map(lambda n: Decimal(n).scaleb(-2))
balances = st.integers(min_value=-3_000, max_value=20_000).map(lambda n: Decimal(n).scaleb(-2))
starts = st.builds(
    lambda month, day, slot: datetime(2026, month, day, tzinfo=UTC) + slot * STEP,
    st.integers(min_value=1, max_value=12),
    st.sampled_from([1, 2, 15, 27, 28]),
    st.integers(min_value=0, max_value=7),
)


def events(balance: str, cost: str, *, gaps: bool = False) -> st.SearchStrategy[tuple[str, object]]:
    """(kind, value) events: a balance change and a cost accrual under the names the test uses, credits,
    failures of either kind, currency switches, idle slots, and (with gaps) runs of missed slots."""
    choices = [
        st.tuples(st.just(balance), balances),
        st.tuples(st.just(cost), cents),
        st.tuples(st.just("credit"), cents),
        st.tuples(st.just("fail"), st.sampled_from(["balances", "costs"])),
        st.tuples(st.just("switch"), st.sampled_from(["EUR", "USD"])),
        st.tuples(st.just("idle"), st.none()),
    ]
    if gaps:
        choices.append(st.tuples(st.just("gap"), st.integers(min_value=1, max_value=40)))
    return st.one_of(*choices)
