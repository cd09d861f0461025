"""The auth blueprint object; sign_in.py and password.py register their views on it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
