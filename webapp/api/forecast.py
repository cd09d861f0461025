"""GET /v1/forecast: the token's organisation's depletion forecast, threshold crossing and this month's
projection (SPEC §9; amounts as decimal strings, days as ISO dates, SPEC §2)."""

from __future__ import annotations

from decimal import Decimal

from flask import Response

from webapp.api import params
from webapp.api.blueprint import bp, per_client_limit
from webapp.api.problems import ApiProblem
from webapp.api.resources import json_response, organization_id
from webapp.domain.forecast import Crossing, DateBand, MonthProjection
from webapp.domain.money import format_amount
from webapp.models.types import utcnow
from webapp.read_model.forecast_view import ForecastView, forecast_view


def _band(band: DateBand | None) -> dict | None:
    if band is None:
        return None
    return {
        "expected": band.expected.isoformat(),
        "earliest": band.earliest.isoformat(),
        "latest": band.latest.isoformat(),
    }


def _crossing(crossing: Crossing | None) -> dict | None:
    if crossing is None:
        return None
    band = _band(crossing.band) or {"expected": None, "earliest": None, "latest": None}
    return {"level": format_amount(crossing.level), **band, "reason": crossing.reason}


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def _month(projection: MonthProjection, currency: str | None) -> dict:
    return {
        "year": projection.first_day.year,
        "month": projection.first_day.month,
        "as_of": projection.as_of.isoformat(),
        "method": projection.method,
        "currency": currency,
        "month_to_date": format_amount(projection.month_to_date),
        "expected": _amount(projection.expected),
        "low": _amount(projection.low),
        "high": _amount(projection.high),
        "reason": projection.reason,
    }


def forecast_json(organization: int, view: ForecastView) -> dict:
    return {
        "organization_id": organization,
        "as_of": view.as_of.isoformat(),
        "method": view.method,
        "history_days": view.history_days,
        "status": view.status,
        "reason": view.reason,
        "balance": _amount(view.balance),
        "currency": view.balance_currency,
        "depletion": _band(view.zero),
        "threshold": _crossing(view.threshold),
        "month": _month(view.month, view.month_currency),
    }


@bp.get("/v1/forecast")
@per_client_limit
def forecast() -> Response:
    params.only()
    view = forecast_view(organization_id(), utcnow())
    if view is None:
        raise ApiProblem(404, "No forecast yet: no UTC day of this organisation's data has completed.")
    return json_response(forecast_json(organization_id(), view))
