"""htmx answers: the page or (for an htmx swap) only its partial, and redirects htmx understands."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template, request


def is_htmx() -> bool:
    """The request comes from htmx (a swap, a boosted form or a history restore)."""
    return request.headers.get("HX-Request") == "true"


def is_htmx_partial() -> bool:
    """An htmx swap wants the partial; a history restore (cache miss on back/forward) wants the page."""
    return is_htmx() and request.headers.get("HX-History-Restore-Request") != "true"


def render_page_or_partial(page_template: str, partial_template: str, /, **context: Any) -> Response:
    """One endpoint, two answers; caches are told the answer depends on the htmx headers."""
    partial = is_htmx_partial()
    template = partial_template if partial else page_template
    response = make_response(render_template(template, as_partial=partial, **context))
    response.vary.add("HX-Request")
    response.vary.add("HX-History-Restore-Request")
    return response


def redirect_to(url: str, *, htmx_status: int = 204, code: int = 302) -> Response:
    """A redirect; an htmx request gets HX-Redirect (with htmx_status) instead, as htmx would swap a 3xx's target."""
    if is_htmx():
        response = Response(status=htmx_status)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=code)  # type: ignore[return-value]


def redirect_after_post(url: str) -> Response:
    """POST-redirect-GET (303), or HX-Redirect for htmx."""
    return redirect_to(url, code=303)
