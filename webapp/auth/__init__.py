"""Sign-in, sign-out and the password change: view modules that register on the auth blueprint."""

from __future__ import annotations

from webapp.auth import password, sign_in
from webapp.auth.blueprint import bp

__all__ = ["bp", "password", "sign_in"]
