"""The /api blueprint object, its bearer authentication and per-client rate limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy import Select
from sqlalchemy.exc import SQLAlchemyError

from webapp.api.auth import confirm_client, verify_bearer
from webapp.api.problems import ApiProblem, problem_for_exception
from webapp.extensions import csrf, db, limiter
from webapp.services.api_clients import active_client_exists

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # no cookies are honoured here, so there is nothing to forge

# Endpoints reachable without a bearer token.
PUBLIC_ENDPOINTS = frozenset({"api.token", "api.openapi", "api.docs"})

View = TypeVar("View", bound=Callable)


def client_confirmed_by_query(view: View) -> View:
    """Mark a view that reads through `scalar_for_client`: its token's client is confirmed active by the
    same SQL statement that reads the data (one database round trip instead of two). Whatever the view
    answers, no response leaves before the client has been confirmed (`answer_confirmed_clients_only`)."""
    view.confirms_client_in_query = True  # type: ignore[attr-defined]
    return view


@bp.before_request
def require_bearer_token() -> None:
    g.api_principal, g.api_client_confirmed = None, False
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    g.api_principal = verify_bearer()
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "confirms_client_in_query", False):
        confirm_client(g.api_principal)
        g.api_client_confirmed = True


@bp.after_request
def answer_confirmed_clients_only(response: Response) -> Response:
    """A token whose client the view's query did not confirm (no row, a 4xx, a 5xx) is checked now: a
    revoked client or a vanished organisation gets the 401, never the view's answer. Only when the check
    itself cannot run (the database is down) does a 5xx stay as it is — it carries no tenant data."""
    principal = g.get("api_principal")
    if principal is None or g.api_client_confirmed:
        return response
    if response.status_code >= 500:
        db.session.rollback()  # whatever failed may have left the transaction unusable
    try:
        confirm_client(principal)
    except ApiProblem as refused:
        return problem_for_exception(refused)
    except SQLAlchemyError:
        if response.status_code < 500:
            raise
        db.session.rollback()
        return response
    g.api_client_confirmed = True
    return response


def scalar_for_client(statement: Select) -> Any:
    """The statement's first row, read only while the token's client is active (checked in the same SQL).

    Only for statements that return no row when their WHERE clause matches nothing (entities or columns
    of a table) — an aggregate such as count() returns a row either way and would confirm nothing."""
    principal = g.api_principal
    row = db.session.scalar(statement.where(active_client_exists(principal.client_id, principal.organization_id)))
    if row is not None:
        g.api_client_confirmed = True
    return row


def row_for_client(statement: Select) -> Any:
    """Like scalar_for_client, for a statement of several columns: the first row (or None)."""
    principal = g.api_principal
    row = db.session.execute(
        statement.where(active_client_exists(principal.client_id, principal.organization_id))
    ).first()
    if row is not None:
        g.api_client_confirmed = True
    return row


def _client_key() -> str:
    # The limit is counted before some views confirm the client (`client_confirmed_by_query`), so the
    # bucket names the organisation too: a token naming another organisation never spends a client's bucket.
    principal = g.api_principal
    return f"api-client:{principal.client_id}:{principal.organization_id}"


# One bucket per API client, shared by every authenticated endpoint.
per_client_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_client_key)
