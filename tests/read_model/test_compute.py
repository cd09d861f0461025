"""The read model's pure derivation on hand-made ledgers: no database in sight."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from webapp.domain.months import Month
from webapp.read_model.daily import DailyFigures, daily_figures
from webapp.read_model.ledger import BalancePoint, CostPoint, Ledger, StatePoint
from webapp.read_model.summary import summarize


def at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def bal(day: str, hour: int, amount: str, currency: str = "EUR") -> BalancePoint:
    return BalancePoint(at(day, hour), Decimal(amount), currency)


def cost(day: str, hour: int, total: str, month: Month | None = None, currency: str = "EUR", **services: str):
    moment = at(day, hour)
    return CostPoint(
        moment, month or Month.of(moment), currency, Decimal(total), {k: Decimal(v) for k, v in services.items()}
    )


def by_day(ledger: Ledger) -> dict[date, DailyFigures]:
    return {row.day: row for row in daily_figures(ledger)}


def test_top_ups_are_rises_between_snapshots_on_the_later_ones_day():
    ledger = Ledger(
        balances=[
            bal("2026-03-01", 0, "100"),
            bal("2026-03-01", 9, "90"),
            bal("2026-03-01", 12, "140"),  # +50
            bal("2026-03-02", 3, "130"),
            bal("2026-03-02", 6, "135"),  # +5
        ]
    )
    days = by_day(ledger)
    assert days[date(2026, 3, 1)].top_ups == Decimal("50")
    assert days[date(2026, 3, 1)].closing_balance == Decimal("140")
    assert days[date(2026, 3, 2)].top_ups == Decimal("5")
    assert days[date(2026, 3, 2)].closing_balance == Decimal("135")


def test_skip_unchanged_gap_carries_the_closing_balance_forward():
    ledger = Ledger(
        balances=[bal("2026-03-01", 6, "100"), bal("2026-03-04", 6, "80")],
        states=[StatePoint("balances", last_attempt_at=at("2026-03-05", 3), last_success_at=at("2026-03-05", 3))],
    )
    rows = daily_figures(ledger)
    assert [row.day for row in rows] == [date(2026, 3, d) for d in range(1, 6)]
    assert [row.closing_balance for row in rows] == [Decimal(x) for x in ("100", "100", "100", "80", "80")]
    assert all(row.top_ups == 0 and row.spend == 0 for row in rows)
    summary = summarize(ledger, rows)
    assert summary.balance_amount == Decimal("80")
    assert summary.balance_changed_at == at("2026-03-04", 6)
    assert summary.checked_at == at("2026-03-05", 3)
    assert summary.as_of == at("2026-03-05", 3)


def test_spend_is_the_accrual_of_the_month_total_with_services():
    ledger = Ledger(
        costs=[
            cost("2026-03-01", 6, "10", compute="8"),  # month started that day: counts wholly
            cost("2026-03-01", 9, "12", compute="9", storage="1"),
            cost("2026-03-02", 9, "15", compute="11", storage="2"),
        ]
    )
    days = by_day(ledger)
    first, second = days[date(2026, 3, 1)], days[date(2026, 3, 2)]
    assert (first.spend, first.spend_currency) == (Decimal("12"), "EUR")
    assert first.spend_by_service == {"compute": "9.00", "storage": "1.00"}  # fees count in spend only
    assert second.spend == Decimal("3")
    assert second.spend_by_service == {"compute": "2.00", "storage": "1.00"}


def test_a_day_with_no_snapshots_has_no_spend_and_the_next_gets_the_gap():
    ledger = Ledger(costs=[cost("2026-03-01", 6, "10"), cost("2026-03-03", 6, "16")])
    days = by_day(ledger)
    assert [days[date(2026, 3, d)].spend for d in (1, 2, 3)] == [Decimal("10"), 0, Decimal("6")]
    assert days[date(2026, 3, 2)].spend_currency == "EUR"


def test_first_snapshot_mid_month_is_a_baseline_when_the_ledger_starts_there():
    ledger = Ledger(costs=[cost("2026-03-10", 6, "500"), cost("2026-03-10", 9, "504")])
    assert by_day(ledger)[date(2026, 3, 10)].spend == Decimal("4")


def test_first_snapshot_mid_month_counts_wholly_when_the_ledger_existed_before():
    ledger = Ledger(balances=[bal("2026-02-20", 6, "100")], costs=[cost("2026-03-03", 6, "7")])
    assert by_day(ledger)[date(2026, 3, 3)].spend == Decimal("7")


def test_month_boundary_late_snapshot_of_the_old_month_counts_on_its_last_day():
    march, april = Month(2026, 3), Month(2026, 4)
    ledger = Ledger(
        costs=[
            cost("2026-03-31", 21, "300", march),
            cost("2026-04-01", 0, "305", march),  # the final figure, collected in April
            cost("2026-04-01", 0, "2", april),
            cost("2026-04-01", 3, "3", april),
        ]
    )
    days = by_day(ledger)
    assert days[date(2026, 3, 31)].spend == Decimal("5")
    assert days[date(2026, 4, 1)].spend == Decimal("3")
    summary = summarize(ledger, daily_figures(ledger))
    assert (summary.mtd_year, summary.mtd_month, summary.mtd_total) == (2026, 4, Decimal("3"))


def test_days_start_when_the_first_snapshot_was_collected_and_months_ended_by_then_never_accrue():
    """A ledger begun on 2 April collects March too, in April's first days: March had ended, so neither its
    first snapshot nor its late charges count (31 March gets no row: nothing was known then); nor does a
    month collected by hand much later, however often."""
    march, june = Month(2026, 3), Month(2025, 6)
    ledger = Ledger(
        balances=[bal("2026-04-02", 6, "100"), bal("2026-04-03", 6, "90")],
        costs=[
            cost("2026-04-02", 6, "300", march),
            cost("2026-04-02", 6, "20"),
            cost("2026-04-03", 6, "350", march),  # late March charges: +50
            cost("2026-04-03", 6, "30"),
            cost("2026-04-03", 9, "4000", june),
            cost("2026-04-03", 12, "4500", june),  # +500
        ],
    )
    days = daily_figures(ledger)
    assert [row.day for row in days] == [date(2026, 4, 2), date(2026, 4, 3)]
    assert [row.spend for row in days] == [Decimal(0), Decimal(10)]


def test_spend_by_operator_is_each_operator_ids_growth_under_its_current_name():
    """Tracked by operator id, as the cost page attributes lines (no id: no operator, whatever the name), shown
    by the name the id has now (else the id): a rename does not count the month again."""

    def line(service: str, amount: str, operator_id: str | None = None, name: str | None = None) -> dict:
        return {"service": service, "operator_id": operator_id, "operator_name": name, "amount": amount}

    def point(day: str, total: str, lines: list[dict]) -> CostPoint:
        return CostPoint.from_row(
            collected_at=at(day, 6), year=2026, month=3, currency="EUR", total=Decimal(total), usage_lines=lines
        )

    first = [
        line("compute", "5.00", "op-1", "Ana"),
        line("storage", "3.00", None, "Nobody"),
        line("compute", "2.00", "op-2"),
    ]
    later = [line("compute", "9.00", "op-1", "Ana Lima"), line("storage", "3.00"), line("compute", "1.00", "op-2")]
    days = by_day(Ledger(costs=[point("2026-03-01", "10", first), point("2026-03-02", "13", later)]))
    assert days[date(2026, 3, 1)].spend_by_operator == {"Ana": "5.00", "op-2": "2.00"}
    assert days[date(2026, 3, 2)].spend_by_operator == {"Ana Lima": "4.00"}  # op-2 fell: nothing, never negative
    assert days[date(2026, 3, 2)].spend_by_service == {"compute": "3.00"}


def test_a_cost_decrease_is_never_negative_spend_and_is_not_counted_twice():
    ledger = Ledger(
        costs=[
            cost("2026-03-01", 6, "10", compute="10"),
            cost("2026-03-02", 6, "4", compute="4"),  # credit or correction
            cost("2026-03-03", 6, "12", compute="12"),  # back above the high-water mark by 2
        ]
    )
    days = by_day(ledger)
    assert [days[date(2026, 3, d)].spend for d in (1, 2, 3)] == [Decimal("10"), 0, Decimal("2")]
    assert days[date(2026, 3, 3)].spend_by_service == {"compute": "2.00"}


def test_currency_change_restarts_accrual_and_never_mixes_currencies():
    ledger = Ledger(
        balances=[bal("2026-03-01", 6, "100"), bal("2026-03-02", 6, "120", "USD"), bal("2026-03-02", 9, "150", "USD")],
        costs=[
            cost("2026-03-01", 6, "10"),
            cost("2026-03-02", 6, "11", currency="USD"),
            cost("2026-03-02", 9, "13", currency="USD"),
        ],
    )
    day = by_day(ledger)[date(2026, 3, 2)]
    assert (day.spend, day.spend_currency) == (Decimal("2"), "USD")
    assert (day.top_ups, day.balance_currency) == (Decimal("30"), "USD")  # 100 EUR -> 120 USD is no top-up


def test_spend_over_30_completed_days_excludes_today_and_mixed_currencies():
    costs = [cost(f"2026-03-{d:02d}", 6, str(d * 10)) for d in range(1, 32)]
    ledger = Ledger(costs=costs)
    summary = summarize(ledger, daily_figures(ledger))
    # as of 31 March: the 30 completed days are 1–30 March, 10 a day
    assert (summary.spend_30d, summary.spend_30d_currency) == (Decimal("300"), "EUR")
    mixed = Ledger(
        costs=[
            *costs[:5],
            cost("2026-03-20", 7, "999", currency="USD"),  # a baseline in the new currency
            cost("2026-03-21", 1, "1000", currency="USD"),  # 1 USD of spend on the 21st
            cost("2026-03-22", 1, "1000", currency="USD"),
        ]
    )
    assert summarize(mixed, daily_figures(mixed)).spend_30d is None


def test_failures_report_the_worst_streak_and_the_latest_failure():
    ledger = Ledger(
        states=[
            StatePoint("balances", at("2026-03-02"), at("2026-03-02"), "timeout", at("2026-03-01"), 0),
            StatePoint("costs", at("2026-03-02", 3), None, "HTTP 500", at("2026-03-02", 3), 4),
        ]
    )
    summary = summarize(ledger, daily_figures(ledger))
    assert summary.failure_streak == 4
    assert (summary.last_failure_kind, summary.last_failure_reason) == ("costs", "HTTP 500")
    assert summary.last_failure_at == at("2026-03-02", 3)
    assert daily_figures(ledger) == []


def test_an_empty_ledger_gives_an_empty_summary():
    summary = summarize(Ledger(), [])
    assert summary.as_of is None and summary.balance_amount is None and summary.failure_streak == 0
