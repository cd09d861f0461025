"""CSV forms of the balance history and of a month's usage lines (SPEC §7), streamed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response

from webapp.api import params
from webapp.api.blueprint import bp, client_confirmed_by_query, per_client_limit
from webapp.api.resources import date_range, latest_cost_or_404, organization_id
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.queries.balances import balance_history_stmt
from webapp.queries.costs import usage_lines_of
from webapp.services.exports import USAGE_LINE_COLUMNS, usage_line_cells
from webapp.web.csv import csv_response as shared_csv_response

BALANCE_HEADER = ["organization_id", "collected_at", "amount", "currency"]
USAGE_HEADER = ["organization_id", "year", "month", "collected_at", *USAGE_LINE_COLUMNS]


def csv_response(rows: Iterable[Iterable[object]], header: list[str], filename: str) -> Response:
    """The shared CSV download, varying by the bearer token that chose the organisation."""
    response = shared_csv_response(header, rows, filename)
    response.vary.add("Authorization")
    return response


@bp.get("/v1/balance/history.csv")
@per_client_limit
def balance_history_csv() -> Response:
    params.only("from", "to")
    org_id, (since, until) = organization_id(), date_range()
    statement = balance_history_stmt(org_id, since=since, until=until).execution_options(yield_per=500)

    def rows() -> Iterator[tuple[object, ...]]:
        for row in db.session.scalars(statement):
            yield (row.organization_id, row.collected_at, row.amount, row.currency)

    return csv_response(rows(), BALANCE_HEADER, f"balance-history-org-{org_id}.csv")


@bp.get("/v1/costs/usage-lines.csv")
@client_confirmed_by_query
@per_client_limit
def cost_usage_lines_csv() -> Response:
    year, month = params.year_month()
    snapshot = latest_cost_or_404(year, month)
    head = [snapshot.organization_id, snapshot.year, snapshot.month, snapshot.collected_at]
    rows = (head + usage_line_cells(line, snapshot.currency) for line in usage_lines_of(snapshot))
    return csv_response(rows, USAGE_HEADER, f"usage-lines-org-{snapshot.organization_id}-{Month(year, month)}.csv")
