"""Small view helpers: redirects that htmx understands, and page-or-partial rendering."""

from __future__ import annotations

from flask import Response, redirect, request

from webapp.dashboard.htmx import is_htmx_partial, render_page_or_partial

__all__ = ["is_htmx_partial", "redirect_after_post", "render_page_or_partial"]


def redirect_after_post(url: str) -> Response:
    """POST-redirect-GET; an htmx request gets HX-Redirect instead of a 302."""
    if request.headers.get("HX-Request") == "true":
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
