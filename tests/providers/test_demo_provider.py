"""The demo simulation: deterministic, realistic, and shaped so skip-unchanged happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from webapp.providers.demo import DemoProvider, profile

provider = DemoProvider()
WEDNESDAY = datetime(2026, 3, 11, tzinfo=UTC)
REFS = [f"demo-{i:04d}" for i in range(1, 41)]


def busy_refs():
    return [ref for ref in REFS if not profile(ref).idle]


def test_answers_are_deterministic():
    moment = WEDNESDAY + timedelta(hours=14)
    assert provider.balance("demo-0001", as_of=moment) == DemoProvider().balance("demo-0001", as_of=moment)
    assert provider.month_costs("demo-0001", 2026, 3, as_of=moment) == DemoProvider().month_costs(
        "demo-0001", 2026, 3, as_of=moment
    )


def test_balance_is_flat_at_night_and_moves_in_working_hours():
    ref = busy_refs()[0]
    night = [provider.balance(ref, as_of=WEDNESDAY + timedelta(hours=h)).amount for h in (0, 3, 6)]
    day = [provider.balance(ref, as_of=WEDNESDAY + timedelta(hours=h)).amount for h in (9, 12, 15, 18)]
    assert len(set(night)) == 1
    assert len(set(day)) == 4 and day == sorted(day, reverse=True)


def test_idle_organisations_exist_and_report_no_costs():
    idle = [ref for ref in REFS if profile(ref).idle]
    assert idle
    assert provider.month_costs(idle[0], 2026, 3, as_of=WEDNESDAY + timedelta(hours=15)) is None


def test_reports_have_services_operators_unattributed_lines_and_a_subscription():
    reports = [provider.month_costs(ref, 2026, 3, as_of=WEDNESDAY + timedelta(hours=15)) for ref in busy_refs()]
    for ref, report in zip(busy_refs(), reports, strict=True):
        services = {line.service for line in report.usage_lines}
        assert 4 <= len(services) <= 8, ref
        assert len({line.operator_id for line in report.usage_lines if line.operator_id}) >= 2
        assert report.total == sum(fee.amount for fee in report.fees)
    assert any(line.operator_id is None for r in reports for line in r.usage_lines)
    assert any(fee.code == "subscription" for r in reports for fee in r.fees)
    assert any(  # some months bill more usage than the lines itemise: shown as "unattributed"
        next(f.amount for f in r.fees if f.code == "usage") != sum(line.amount for line in r.usage_lines)
        for r in reports
    )


def test_month_totals_grow_through_the_month_and_start_with_no_costs():
    ref = busy_refs()[0]
    first = datetime(2026, 3, 1, tzinfo=UTC)
    totals = []
    for day in range(1, 31, 3):  # 1 March 2026 is a Sunday
        report = provider.month_costs(ref, 2026, 3, as_of=first + timedelta(days=day, hours=17))
        totals.append(report.total)
    assert totals == sorted(totals) and totals[0] < totals[-1]
    assert all(provider.month_costs(r, 2026, 3, as_of=first + timedelta(hours=3)) is None for r in REFS)


def test_balance_falls_by_what_the_month_cost_between_top_ups():
    ref = busy_refs()[0]
    start, end = WEDNESDAY + timedelta(hours=6), WEDNESDAY + timedelta(hours=21)
    spent = provider.month_costs(ref, 2026, 3, as_of=end).total - provider.month_costs(ref, 2026, 3, as_of=start).total
    drop = provider.balance(ref, as_of=start).amount - provider.balance(ref, as_of=end).amount
    assert drop == spent > Decimal(0)


def test_future_months_have_no_costs():
    assert provider.month_costs("demo-0001", 2026, 4, as_of=WEDNESDAY) is None


def _daily_usage(ref, year, month, days):
    """Usage per day of the month, from the reports at 21:00 (after the working day)."""
    totals = [Decimal(0)]
    for day in range(1, days + 1):
        report = provider.month_costs(ref, year, month, as_of=datetime(year, month, day, 21, tzinfo=UTC))
        totals.append(sum((line.amount for line in report.usage_lines), Decimal(0)) if report else Decimal(0))
    return [after - before for before, after in pairwise(totals)]


def test_usage_follows_the_working_week_with_some_weekend_load():
    march = [_daily_usage(ref, 2026, 3, 31) for ref in busy_refs()[:8]]  # 1 March 2026 is a Sunday
    weekend = [day for usage in march for day in (usage[0], usage[6], usage[7], usage[13], usage[14])]
    weekdays = [day for usage in march for day in usage[1:6] + usage[8:13]]
    assert sum(weekend) / len(weekend) < sum(weekdays) / len(weekdays) * Decimal("0.8")
    assert any(day > 0 for day in weekend)  # storage and databases run at weekends too


def test_some_months_have_a_spike_day():
    ratios = []
    for ref in busy_refs()[:10]:
        for month in (1, 2, 3, 4, 5, 6):
            usage = sorted(_daily_usage(ref, 2026, month, 28))
            ratios.append(usage[-1] / usage[len(usage) // 2])
    assert max(ratios) > 2  # a spike stands out against the month's median day
    assert sorted(ratios)[len(ratios) // 2] < Decimal("1.6")  # most months have none


def test_closed_month_and_balance_agree_with_the_day_by_day_reports():
    for ref in busy_refs()[:5]:
        last_evening = datetime(2026, 4, 30, 23, tzinfo=UTC)
        during = provider.month_costs(ref, 2026, 4, as_of=last_evening)
        after = provider.month_costs(ref, 2026, 4, as_of=datetime(2026, 5, 20, tzinfo=UTC))
        assert during == after
        midnight = datetime(2026, 5, 1, tzinfo=UTC)
        assert provider.balance(ref, as_of=last_evening) == provider.balance(ref, as_of=midnight)
