"""The dashboard blueprint object; its views register on it (webapp/dashboard/__init__.py imports them)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
