"""Bearer-token authentication for /api/: the organisation comes only from a verified token."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from webapp.api.problems import unauthorized
from webapp.services.api_clients import active_client_for_token
from webapp.services.api_tokens import InvalidToken, TokenSettings, verify_token

MAX_AUTHORIZATION_LENGTH = 4096
URL_CREDENTIAL_NAMES = ("access_token", "token", "bearer", "jwt", "client_secret", "api_key")


@dataclass(frozen=True, slots=True)
class ApiPrincipal:
    organization_id: int
    client_id: str


def refuse_credentials_in_url() -> None:
    if any(name in request.args for name in URL_CREDENTIAL_NAMES):
        raise unauthorized(
            "Credentials are not accepted in the URL; send them in the Authorization header.", "invalid_request"
        )


def _bearer_token() -> str:
    header = request.headers.get("Authorization")
    if not header:
        raise unauthorized("This endpoint needs an Authorization: Bearer <access token> header.")
    if len(header) > MAX_AUTHORIZATION_LENGTH:
        raise unauthorized("The Authorization header is too long to be a token this API issued.")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("The Authorization header must be 'Bearer <access token>'.")
    return token


def verify_bearer() -> ApiPrincipal:
    """The principal a genuine, unexpired token names; its client is not yet confirmed active."""
    refuse_credentials_in_url()
    try:
        claims = verify_token(TokenSettings.from_config(current_app.config), _bearer_token())
    except InvalidToken:
        raise unauthorized("The access token is invalid or has expired.") from None
    return ApiPrincipal(claims.organization_id, claims.client_id)


def confirm_client(principal: ApiPrincipal) -> None:
    """A 401 problem unless the token's client is still active and its organisation exists and is active."""
    if active_client_for_token(principal.client_id, principal.organization_id) is None:
        raise unauthorized("The access token's client was revoked, or its organisation is inactive or gone.")


def authenticate_request() -> ApiPrincipal:
    """The verified principal of this request; a 401 problem otherwise. Session cookies are ignored."""
    principal = verify_bearer()
    confirm_client(principal)
    return principal
