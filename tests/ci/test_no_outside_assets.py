"""Account Desk runs on internal networks: no template or static file may load anything from a CDN or
another outside address (vendored files are served from static/; see static/js/vendor/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDN = re.compile(r"https?://[^\s\"'<>]*\bcdn\b", re.IGNORECASE)  # in any file, vendored bundles included
# what a page or stylesheet itself loads: <script src>, <link href>, <img src>, CSS url(); plain <a href> is a link
LOADED = {
    ".html": re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I),
    ".css": re.compile(r"""url\(\s*["']?(?:https?:)?//""", re.I),
}


def _files():
    for folder in ("templates", "static"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".js", ".css", ".svg"}:
                yield path


def test_no_template_or_static_file_names_a_cdn_or_loads_from_outside():
    offending = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in (CDN, LOADED.get(path.suffix)):
            if pattern is not None:
                offending += [f"{path.relative_to(ROOT)}: {found.group(0)[:80]}" for found in pattern.finditer(text)]
    assert offending == []
