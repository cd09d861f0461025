"""The auth blueprint object; the sign-in views (webapp/auth/__init__.py) and password.py register on it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
