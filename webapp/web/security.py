"""Security headers on every response, with a strict Content-Security-Policy."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if "no-store" not in response.headers.get("Cache-Control", "") and shows_customer_data(response):
            # Signed-in pages and partials carry customer data: no shared cache, no copy on disk.
            response.headers["Cache-Control"] = "private, no-store"
        return response


def shows_customer_data(response: Response) -> bool:
    """An HTML page or partial for a signed-in user (static assets keep their long cache)."""
    return response.mimetype == "text/html" and request.endpoint != "static" and bool(current_user.is_authenticated)
