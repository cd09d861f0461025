"""The shared htmx helpers: HX-Redirect instead of a 302 for htmx posts, Vary on page-or-partial answers,
and the one "not found" that every blueprint raises."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from webapp.web.htmx import redirect_after_post, render_page_or_partial
from webapp.web.notfound import found_or_404, not_found


def test_an_htmx_post_is_redirected_with_hx_redirect_and_others_with_303(app):
    with app.test_request_context("/admin/x", method="POST", headers={"HX-Request": "true"}):
        response = redirect_after_post("/admin/users")
        assert response.status_code == 204 and response.headers["HX-Redirect"] == "/admin/users"
    with app.test_request_context("/admin/x", method="POST"):
        response = redirect_after_post("/admin/users")
        assert response.status_code == 303 and response.headers["Location"] == "/admin/users"


def test_page_or_partial_says_it_varies_by_the_htmx_headers(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        response = render_page_or_partial("errors/error.html", "errors/error.html", code=404, title="t", message="m")
        assert {"HX-Request", "HX-History-Restore-Request"} <= set(response.vary)


def test_not_found_carries_its_message_and_found_or_404_passes_values_through(app):
    with pytest.raises(NotFound) as raised:
        not_found("There is no such thing.")
    assert raised.value.description == "There is no such thing."
    assert found_or_404(0) == 0
    with pytest.raises(NotFound):
        found_or_404(None)
