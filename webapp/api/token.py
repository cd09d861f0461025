"""POST /api/v1/oauth/token: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from flask import Response, current_app, jsonify, request
from flask_limiter.util import get_remote_address

from webapp.api.auth import URL_CREDENTIAL_NAMES
from webapp.api.blueprint import bp
from webapp.api.problems import ApiProblem
from webapp.extensions import db, limiter
from webapp.models.types import utcnow
from webapp.services.api_clients import authenticate_client
from webapp.services.api_tokens import TokenSettings, issue_token

FORM_TYPE = "application/x-www-form-urlencoded"
BASIC_CHALLENGE = 'Basic realm="accountdesk-api", charset="UTF-8"'


def oauth_error(code: int, error: str, description: str) -> ApiProblem:
    """RFC 6749 §5.2 members (error, error_description) inside an RFC 9457 problem."""
    headers = {"WWW-Authenticate": BASIC_CHALLENGE} if code == 401 else {}
    return ApiProblem(code, description, headers=headers, error=error, error_description=description)


def _form_field(name: str) -> str | None:
    values = request.form.getlist(name)
    if len(values) > 1:
        raise oauth_error(400, "invalid_request", f"The '{name}' parameter must not be repeated.")
    if values and "\x00" in values[0]:
        raise oauth_error(400, "invalid_request", f"The '{name}' parameter contains a NUL byte.")
    return values[0] if values else None


def _basic_credentials() -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise oauth_error(401, "invalid_client", "The Basic credentials are not valid base64.") from None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        raise oauth_error(401, "invalid_client", "The Basic credentials need 'client_id:client_secret'.")
    client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    if "\x00" in client_id or "\x00" in secret:
        raise oauth_error(401, "invalid_client", "The Basic credentials contain a NUL byte.")
    return client_id, secret


def _client_credentials() -> tuple[str, str]:
    basic = _basic_credentials()
    form_id, form_secret = _form_field("client_id"), _form_field("client_secret")
    if basic and (form_secret is not None or (form_id is not None and form_id != basic[0])):
        raise oauth_error(400, "invalid_request", "Authenticate the client by one method only (Basic or form).")
    if basic:
        return basic
    if not form_id or form_secret is None:
        raise oauth_error(401, "invalid_client", "Client authentication is required (HTTP Basic or form fields).")
    return form_id, form_secret


def _check_request_shape() -> None:
    if any(name in request.args for name in (*URL_CREDENTIAL_NAMES, "client_id", "grant_type")):
        raise oauth_error(
            400, "invalid_request", "Parameters and credentials must be sent in the form body, not the URL."
        )
    if request.mimetype and request.mimetype != FORM_TYPE:
        raise ApiProblem(415, f"Send the token request as {FORM_TYPE}.", error="invalid_request")
    grant_type = _form_field("grant_type")
    if not grant_type:
        raise oauth_error(400, "invalid_request", "The 'grant_type' parameter is required.")
    if grant_type != "client_credentials":
        raise oauth_error(400, "unsupported_grant_type", "Only the client_credentials grant is supported.")


@bp.post("/v1/oauth/token")
@limiter.limit(lambda: current_app.config["API_TOKEN_RATE_LIMIT"], key_func=get_remote_address)
def token() -> Response:
    _check_request_shape()
    client_id, secret = _client_credentials()
    client = authenticate_client(client_id, secret)
    if client is None:
        raise oauth_error(401, "invalid_client", "Unknown client, wrong secret or revoked client.")
    settings = TokenSettings.from_config(current_app.config)
    access_token = issue_token(settings, client_id=client.client_id, organization_id=client.organization_id)
    client.last_used_at = utcnow()
    db.session.commit()
    response = jsonify({"access_token": access_token, "token_type": "Bearer", "expires_in": settings.ttl_seconds})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
