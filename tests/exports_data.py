"""Support for the export tests: an organisation whose downloads hold umlauts, a formula-like name,
negative amounts and a month with usage lines, an unattributed difference, fees and a total; and the
dashboard's CSV read back as a spreadsheet would (byte order mark first)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tests.dashboard_data import line, make_cost
from tests.factories import make_balance, make_org
from webapp.models import CostSnapshot, Organization

BOM = "\ufeff"
NAME = "Müller & Söhne GmbH"
FORMULA_NAME = "=1+2"
MONTH = "2026-03"
BALANCE_AT = datetime(2026, 3, 30, 9, 15, 7, tzinfo=UTC)
SNAPSHOT_AT = datetime(2026, 4, 1, 3, 0, 0, tzinfo=UTC)
LINES_TOTAL = Decimal("96.90")  # 60.00 + 40.00 − 3.10
USAGE_FEE = Decimal("101.90")  # 5.00 more than the lines itemise: the unattributed difference
TOTAL = Decimal("121.90")  # usage fee + subscription 20.00


@dataclass
class Example:
    org: Organization
    other: Organization
    snapshot: CostSnapshot


def seed_example() -> Example:
    org = make_org(name=NAME)
    other = make_org(name=FORMULA_NAME)
    make_balance(org, "100.00", at=datetime(2026, 3, 1, tzinfo=UTC))
    make_balance(org, "-3.10", at=BALANCE_AT)
    make_balance(other, "12.50", at=BALANCE_AT)
    lines = [
        line("Straßenbahn-Telemetrie", "60.00", operator=("op-ä", "Jörg Ärger"), quantity="1200.5"),
        line("Storage", "40.00", unit="GB"),
        line("Gutschrift", "-3.10", quantity="-1", unit="credit"),
    ]
    fees = [("subscription", "Grundgebühr", "20.00")]
    snapshot = make_cost(org, 2026, 3, SNAPSHOT_AT, lines, usage_fee=str(USAGE_FEE), other_fees=fees)
    return Example(org, other, snapshot)


def dashboard_csv(response) -> list[dict[str, str]]:
    """The rows of a dashboard CSV download, after checking it starts with the byte order mark."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(BOM.encode()), "a dashboard CSV starts with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
