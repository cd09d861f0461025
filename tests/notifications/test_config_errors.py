"""Notification settings: malformed values stop the start-up with a message that names them."""

from __future__ import annotations

import pytest

from webapp.config import ConfigError, load_config

BASE = {"INSTANCE_PATH": "/tmp/notify-config", "SECRET_KEY": "x" * 40}


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("SMTP_URL", "http://mail.example", "SMTP_URL must look like"),
        ("SMTP_URL", "smtp://mail.example:99999", "SMTP_URL must look like"),
        ("SMTP_URL", "smtp://mail.example?tls=yes", "SMTP_URL must look like"),
        ("WEBHOOK_TIMEOUT", "30", "at most 15 seconds"),
        ("WEBHOOK_ALLOW_PRIVATE", "yes", "WEBHOOK_ALLOW_PRIVATE must be 0 or 1"),
    ],
)
def test_bad_settings_are_named(name, value, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_config({**BASE, name: value})


def test_defaults_keep_mail_local_and_refuse_private_addresses():
    config = load_config(BASE)
    assert config["SMTP"] is None and config["WEBHOOK_ALLOW_PRIVATE"] is False and config["WEBHOOK_TIMEOUT"] == 10
