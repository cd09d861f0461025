"""Charts as pure functions: rows in, a Plotly figure dict out (drawn by static/js/app.js)."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

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


_ZONE: ContextVar[tzinfo] = ContextVar("chart_zone", default=UTC)


@contextmanager
def in_zone(zone: tzinfo) -> Iterator[None]:
    """Draw the figures built inside in `zone` (the viewer's, SPEC §11): every time axis and hover of a
    timestamp is wall time there, and zone_label() names it. Outside, figures are drawn in UTC."""
    token = _ZONE.set(zone)
    try:
        yield
    finally:
        _ZONE.reset(token)


def zone_label() -> str:
    """The name of the zone the figures are drawn in (an IANA name, or UTC)."""
    zone = _ZONE.get()
    return getattr(zone, "key", None) or str(zone)


def chart_time(moment: datetime) -> str:
    """Plotly date string (wall time in the chart's zone, UTC by default), short to keep the payload small
    (isoformat is ~4× faster than strftime)."""
    return moment.astimezone(_ZONE.get()).replace(tzinfo=None).isoformat(" ", "minutes")


def to_json(figure: dict) -> str:
    """Compact JSON for a data- attribute (Jinja autoescapes it there)."""
    return json.dumps(figure, separators=(",", ":"))
