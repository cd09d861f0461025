"""Admin pages under /admin: organisations, users, API clients, collector health, audit log. Admins only."""

from __future__ import annotations

from webapp.admin import alert_settings, audit_log, clients, collector, organizations, outbox, users, webhooks
from webapp.admin.blueprint import bp

__all__ = ["alert_settings", "audit_log", "bp", "clients", "collector", "organizations", "outbox", "users", "webhooks"]
