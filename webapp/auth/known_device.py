"""A signed "known device" cookie: a browser that signed in to an account before may still sign in to it
while that account's failed-attempt bucket is full, so strangers' guesses cannot lock its owner out.

The cookie holds only a keyed hash of the email (signed with SECRET_KEY, 90 days); it skips the
per-account bucket only: the per-address bucket and the password check still apply.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

COOKIE = "known_device"
MAX_AGE_SECONDS = 90 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="accountdesk-known-device")


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def is_known_device() -> bool:
    """True when this POST /login names the account this browser signed in to before."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 512:
        return False
    try:
        account = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return account == _account(request.form.get("email") or "")


def remember_device(response: BaseResponse, email: str) -> BaseResponse:
    response.set_cookie(
        COOKIE,
        _serializer().dumps(_account(email)),
        max_age=MAX_AGE_SECONDS,
        path="/login",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
