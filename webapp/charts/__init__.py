"""Charts as pure functions: rows in, a Plotly figure dict out (drawn by static/js/app.js)."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

BASE_LAYOUT = {
    "template": "none",
    "margin": {"l": 64, "r": 16, "t": 8, "b": 40},
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif", "size": 12},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "hoverlabel": {"align": "left"},
    "showlegend": False,
}
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
ACCENT = "#2457c5"


def plain(text: str | None) -> str:
    """Escape a name before it reaches a figure: Plotly renders some HTML in labels and hover text."""
    return html.escape(text or "", quote=True)


def chart_time(moment: datetime) -> str:
    """Plotly date string in UTC, short to keep the payload small (isoformat is ~4× faster than strftime)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "minutes")


def to_json(figure: dict) -> str:
    """Compact JSON for a data- attribute (Jinja autoescapes it there)."""
    return json.dumps(figure, separators=(",", ":"))
