"""One endpoint, two answers: the whole page, or (for an htmx request) only its partial."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def is_htmx_partial() -> bool:
    """An htmx swap wants the partial; a history restore (cache miss on back/forward) wants the page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_page_or_partial(page_template: str, partial_template: str, /, **context) -> Response:
    partial = is_htmx_partial()
    template = partial_template if partial else page_template
    response = make_response(render_template(template, as_partial=partial, **context))
    response.vary.add("HX-Request")
    response.vary.add("HX-History-Restore-Request")
    return response
