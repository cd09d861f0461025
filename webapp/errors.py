"""HTML error pages for the dashboard; problem+json (webapp.api.problems) for everything under /api/."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Something went wrong",
}


def _render(code: int, message: str) -> ResponseReturnValue:
    if request.accept_mimetypes.best == "application/json" or request.path.startswith(("/healthz", "/readyz")):
        return {"error": TITLES.get(code, "Error"), "detail": message}, code
    return render_template("errors/error.html", code=code, title=TITLES.get(code, "Error"), message=message), code


def _api_problem(error: Exception) -> Response | None:
    from webapp.api.problems import is_api_path, problem_for_exception

    return problem_for_exception(error) if is_api_path(request.path) else None


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _render(400, "Your form expired or was sent without its security token. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        problem = _api_problem(error)
        if problem is not None:
            return problem
        return _render(error.code or 500, error.description or "")

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError) -> ResponseReturnValue:
        db.session.rollback()  # the page may read the session (current user); a failed transaction would fail it again
        problem = _api_problem(error)
        if problem is not None:
            return problem
        return _render(500, "An unexpected error occurred. It has been logged.")
