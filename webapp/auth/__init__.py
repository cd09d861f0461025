"""Sign-in, sign-out, the account page (time zone) and the password change: view modules on the auth blueprint."""

from __future__ import annotations

from webapp.auth import account, password, sign_in
from webapp.auth.blueprint import bp

__all__ = ["account", "bp", "password", "sign_in"]
