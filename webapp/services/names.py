"""Names people type (organisations, API clients): trimmed, 1–200 printable characters."""

from __future__ import annotations

from webapp.services.errors import ValidationError

MAX_NAME_LENGTH = 200


def clean_name(name: str | None, *, label: str = "Name") -> str:
    """The trimmed name, or a ValidationError on the form's `name` field that starts with `label`."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", f"{label} must be 1–{MAX_NAME_LENGTH} characters.")
    if not name.isprintable():
        raise ValidationError("name", f"{label} must not contain control characters.")
    return name
