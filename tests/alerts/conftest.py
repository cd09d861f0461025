"""The app with loopback receivers allowed, a short webhook timeout and no Redis (deliveries inline)."""

from __future__ import annotations

import pytest

SETTINGS = {"WEBHOOK_ALLOW_PRIVATE": True, "WEBHOOK_TIMEOUT": 1.0, "SMTP": None, "REDIS_URL": None}


@pytest.fixture
def notify_app(app):
    saved = {key: app.config[key] for key in SETTINGS}
    app.config.update(SETTINGS)
    try:
        yield app
    finally:
        app.config.update(saved)
