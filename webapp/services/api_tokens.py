"""API access tokens: short-lived HS256 JWTs bound to one client and its organisation."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

ALGORITHMS = ["HS256"]  # fixed: never taken from the token's header
LEEWAY_SECONDS = 30
MAX_ORGANIZATION_ID = 2**31 - 1  # organisations.id is a 32-bit integer column
# Client ids are issued URL-safe ("adc_" + token_urlsafe); anything else (a NUL byte, say) is no client of ours.
CLIENT_ID_CHARS = re.compile(r"[A-Za-z0-9_-]{1,64}")
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "exp", "jti", "client_id"]


class InvalidToken(Exception):
    """The bearer token is not one this app issued, or is no longer valid."""


@dataclass(frozen=True, slots=True)
class TokenSettings:
    secret: str
    issuer: str
    audience: str
    ttl_seconds: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TokenSettings:
        return cls(config["JWT_SECRET"], config["JWT_ISSUER"], config["JWT_AUDIENCE"], config["JWT_TTL_SECONDS"])


@dataclass(frozen=True, slots=True)
class TokenClaims:
    organization_id: int
    client_id: str
    jti: str


def issue_token(settings: TokenSettings, *, client_id: str, organization_id: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": str(organization_id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.ttl_seconds)).timestamp()),
        "jti": secrets.token_urlsafe(16),
        "client_id": client_id,
    }
    return jwt.encode(claims, settings.secret, algorithm=ALGORITHMS[0])


def _claims_of(payload: dict[str, Any]) -> TokenClaims:
    sub, client_id, jti = payload["sub"], payload["client_id"], payload["jti"]
    if not (
        isinstance(sub, str)
        and sub.isascii()
        and sub.isdigit()
        and len(sub) <= 10
        and 0 < int(sub) <= MAX_ORGANIZATION_ID
    ):
        raise InvalidToken("the token's subject is not an organisation")
    if not (isinstance(client_id, str) and CLIENT_ID_CHARS.fullmatch(client_id) and isinstance(jti, str) and jti):
        raise InvalidToken("the token's client or id is malformed")
    return TokenClaims(int(sub), client_id, jti)


def verify_token(settings: TokenSettings, token: str) -> TokenClaims:
    """Signature, algorithm, issuer, audience, expiry (≤ 30 s leeway) and required claims."""
    try:
        payload = jwt.decode(
            token,
            settings.secret,
            algorithms=ALGORITHMS,
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS, "strict_aud": True},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(str(error) or type(error).__name__) from None
    return _claims_of(payload)
