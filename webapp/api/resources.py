"""The tenant's resources: organisation, balances and costs as JSON. Views parse → query → serialize."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlencode

from flask import Response, current_app, g, json, request, url_for

from webapp.api import params
from webapp.api.blueprint import bp, client_confirmed_by_query, per_client_limit, row_for_client, scalar_for_client
from webapp.api.cursor import decode_cursor, encode_cursor
from webapp.api.problems import ApiProblem
from webapp.api.serializers import balance_json, cost_json, organization_json
from webapp.collection.queue import next_run_due
from webapp.domain.freshness import is_stale
from webapp.domain.months import Month
from webapp.extensions import db
from webapp.models import CostSnapshot, Organization
from webapp.models.types import utcnow
from webapp.queries.balances import balance_history_stmt, latest_balance_stmt, with_checked_at
from webapp.queries.costs import cost_months_stmt, latest_cost_stmt
from webapp.services.exports import iso_utc


def organization_id() -> int:
    return g.api_principal.organization_id


def json_response(data: dict) -> Response:
    response = current_app.response_class(json.dumps(data), mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")
    return response


def conditional_json(data: dict, last_modified: datetime) -> Response:
    """ETag and Last-Modified, and a 304 when the client's copy is current."""
    response = json_response(data)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.last_modified = last_modified
    response.make_conditional(request)
    return response


def date_range() -> tuple[datetime | None, datetime | None]:
    """`from` (inclusive) and `to` (exclusive); an empty range simply matches nothing."""
    return params.timestamp("from"), params.timestamp("to")


@bp.get("/v1/organization")
@per_client_limit
def organization() -> Response:
    params.only()
    org = db.session.get(Organization, organization_id())
    if org is None:  # the token outlived its organisation
        raise ApiProblem(404, "This organisation no longer exists.")
    return json_response(organization_json(org))


@bp.get("/v1/balance/latest")
@client_confirmed_by_query
@per_client_limit
def balance_latest() -> Response:
    params.only()
    found = row_for_client(with_checked_at(latest_balance_stmt(organization_id())))
    if found is None:
        raise ApiProblem(404, "No balance has been collected for this organisation yet.")
    row, checked_at = found
    now, config = utcnow(), current_app.config
    freshness = {
        "checked_at": iso_utc(checked_at) if checked_at else None,
        "stale": is_stale(checked_at, now=now, interval_hours=config["COLLECT_INTERVAL_HOURS"]),
        "next_collection_at": iso_utc(next_run_due(now, config["COLLECT_INTERVAL_SECONDS"])),
    }
    # Last-Modified moves with the last check too; the ETag covers every field (stale, next slot).
    return conditional_json({**balance_json(row), **freshness}, max(row.collected_at, checked_at or row.collected_at))


def latest_cost_or_404(year: int, month: int) -> CostSnapshot:
    """The token's organisation's newest snapshot of the month; a 404 problem until one exists."""
    row = scalar_for_client(latest_cost_stmt(organization_id(), year, month))
    if row is None:
        raise ApiProblem(404, f"No cost snapshot has been collected for {Month(year, month)} yet.")
    return row


@bp.get("/v1/costs/latest")
@client_confirmed_by_query
@per_client_limit
def costs_latest() -> Response:
    year, month = params.year_month()
    row = latest_cost_or_404(year, month)
    return conditional_json(cost_json(row), row.collected_at)


@bp.get("/v1/costs/months")
@per_client_limit
def costs_months() -> Response:
    params.only()
    rows = db.session.execute(cost_months_stmt(organization_id()))
    current = Month.of(utcnow())
    return json_response(
        {
            "months": [
                {"year": year, "month": month, "status": "closed" if Month(year, month) < current else "accruing"}
                for year, month in rows
            ]
        }
    )


def _next_link(cursor: str) -> str:
    query = {key: request.args[key] for key in ("limit", "from", "to") if key in request.args}
    return url_for("api.balance_history") + "?" + urlencode({**query, "cursor": cursor})


@bp.get("/v1/balance/history")
@per_client_limit
def balance_history() -> Response:
    params.only("limit", "cursor", "from", "to")
    limit, (since, until) = params.limit(), date_range()
    raw_cursor, key = params.single("cursor"), current_app.config["JWT_SECRET"]
    before = decode_cursor(key, organization_id(), raw_cursor) if raw_cursor is not None else None
    statement = balance_history_stmt(organization_id(), since=since, until=until, before=before, limit=limit + 1)
    rows = list(db.session.scalars(statement))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(key, organization_id(), rows[-1].collected_at, rows[-1].id)
    response = json_response({"items": [balance_json(row) for row in rows], "next_cursor": next_cursor})
    if next_cursor:
        response.headers["Link"] = f'<{_next_link(next_cursor)}>; rel="next"'
    return response
