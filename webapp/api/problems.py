"""RFC 9457 problem details for everything under /api/ (and RFC 6749 fields on the token endpoint)."""

from __future__ import annotations

import math
import time

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from webapp.extensions import limiter

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}


class ApiProblem(HTTPException):
    """An API error with its status, a human detail, extra members and headers."""

    def __init__(self, code: int, detail: str, *, headers: dict[str, str] | None = None, **extra: object) -> None:
        super().__init__(description=detail)
        self.code = code
        self.extra = extra
        self.extra_headers = headers or {}


def invalid_parameter(name: str, message: str) -> ApiProblem:
    return ApiProblem(422, f"Query parameter '{name}': {message}", parameter=name)


def unauthorized(detail: str, error: str = "invalid_token") -> ApiProblem:
    description = detail.replace("\\", "").replace('"', "'")
    challenge = f'Bearer realm="accountdesk-api", error="{error}", error_description="{description}"'
    return ApiProblem(401 if error != "invalid_request" else 400, detail, headers={"WWW-Authenticate": challenge})


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def problem_response(code: int, detail: str, *, headers: dict[str, str] | None = None, **extra: object) -> Response:
    body = {"type": "about:blank", "title": TITLES.get(code, "Error"), "status": code, "detail": detail, **extra}
    response = current_app.response_class(json.dumps(body), status=code, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def _retry_after() -> dict[str, str]:
    current = limiter.current_limit
    seconds = math.ceil(current.reset_at - time.time()) if current is not None else 60
    return {"Retry-After": str(max(seconds, 1))}


def problem_for_exception(error: Exception) -> Response:
    """The problem+json answer for any exception raised while serving an /api/ request."""
    if isinstance(error, ApiProblem):
        return problem_response(error.code or 500, error.description or "", headers=error.extra_headers, **error.extra)
    if not isinstance(error, HTTPException) or error.code is None or error.code >= 500:
        return problem_response(500, "An unexpected error occurred. It has been logged.")
    headers = {k: v for k, v in error.get_headers(request.environ) if k.lower() != "content-type"}
    if error.code == 429:
        headers.update(_retry_after())
        detail = "Rate limit exceeded for this API client; retry after the number of seconds in Retry-After."
    elif error.code == 404:
        detail = f"No API resource at {request.path}."
    else:
        detail = error.description or TITLES.get(error.code, "Error")
    return problem_response(error.code, detail, headers=headers)
