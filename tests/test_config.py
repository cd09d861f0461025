"""Configuration comes only from the environment; production refuses weak settings."""

from __future__ import annotations

import pytest

from webapp.config import ConfigError, load_config


def test_development_generates_and_keeps_a_secret(tmp_path):
    first = load_config({"INSTANCE_PATH": str(tmp_path)})
    second = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'accountdesk.db'}"
    assert first["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ACCOUNTDESK_ENV": "production", "DATABASE_URL": "postgresql://x@h/d"}, "SECRET_KEY"),
        ({"ACCOUNTDESK_ENV": "production", "DATABASE_URL": "postgresql://x@h/d", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ACCOUNTDESK_ENV": "production", "SECRET_KEY": "k" * 40}, "DATABASE_URL"),
        ({"DATABASE_URL": "::::"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://x@h/d"}, "DATABASE_URL"),
        ({"ACCOUNTDESK_ENV": "staging"}, "ACCOUNTDESK_ENV"),
        ({"PROVIDER": "magic"}, "PROVIDER"),
        ({"PROVIDER": "http"}, "PROVIDER_URL"),
        ({"PROVIDER_TIMEOUT": "soon"}, "PROVIDER_TIMEOUT"),
        ({"COLLECT_INTERVAL_HOURS": "-1"}, "COLLECT_INTERVAL_HOURS"),
        ({"COLLECT_INTERVAL_SECONDS": "0"}, "COLLECT_INTERVAL_SECONDS"),
        (
            {
                "ACCOUNTDESK_ENV": "production",
                "SECRET_KEY": "s" * 40,
                "DATABASE_URL": "postgresql://u@db/d",
                "PROVIDER": "http",
                "PROVIDER_URL": "https://billing.invalid",
            },
            "PROVIDER_TOKEN",
        ),
    ],
)
def test_bad_settings_are_refused_with_their_name(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config({"INSTANCE_PATH": str(tmp_path), **environ})


def test_production_settings(tmp_path):
    config = load_config(
        {
            "INSTANCE_PATH": str(tmp_path),
            "ACCOUNTDESK_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": "postgresql://u@db/accountdesk",
            "JWT_SECRET": "j" * 32,
        }
    )
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/accountdesk"
    assert not (tmp_path / "secret_key").exists()


def test_collect_interval_in_hours_or_seconds(tmp_path):
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["COLLECT_INTERVAL_SECONDS"] == 3 * 3600
    hourly = load_config({"INSTANCE_PATH": str(tmp_path), "COLLECT_INTERVAL_HOURS": "1"})
    assert hourly["COLLECT_INTERVAL_SECONDS"] == 3600
    fast = load_config({"INSTANCE_PATH": str(tmp_path), "COLLECT_INTERVAL_SECONDS": "5"})
    assert fast["COLLECT_INTERVAL_SECONDS"] == 5
