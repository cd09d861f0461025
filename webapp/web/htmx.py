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


def redirect_after_post(url: str) -> Response:
    """POST-redirect-GET; an htmx request gets HX-Redirect instead of a 302 (htmx would swap the target)."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)  # type: ignore[return-value]
