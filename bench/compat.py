"""Run the benchmark against the code as it is, on the shared virtualenv as it is.

SQLAlchemy 2.1.9 (the pinned version installed in the shared .venv) refuses the plain annotation
`User.session_token: str | None` (not a column) unless the declarative base allows unmapped
annotations. Until the model says so itself, the benchmark sets the flag on `db.Model` before the
models are imported; it changes nothing else (the attribute is only read for such annotations).
"""

from __future__ import annotations

from webapp.extensions import db


def allow_plain_annotations() -> None:
    db.Model.__allow_unmapped__ = True


allow_plain_annotations()
