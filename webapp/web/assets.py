"""Static asset URLs with a content-hash query, so assets can be cached for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for


@cache
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    path = Path(current_app.static_folder or "") / filename
    return url_for("static", filename=filename, v=_digest(str(path), path.stat().st_mtime))
