"""JWT settings: a ≥ 32-byte key, refused when short, required in production; TTL configurable."""

from __future__ import annotations

import base64

import pytest

from webapp.config import ConfigError, load_config

PRODUCTION = {
    "ACCOUNTDESK_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://u@db/x",
    "REDIS_URL": "redis://r:6379/0",
    "WEBHOOK_SECRETS_KEYS": base64.urlsafe_b64encode(b"w" * 32).decode(),
}


def test_development_derives_a_long_key_from_the_secret_key(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40})
    assert len(config["JWT_SECRET"].encode()) >= 32 and config["JWT_SECRET"] != config["SECRET_KEY"]
    assert config["JWT_TTL_SECONDS"] == 3600
    assert load_config({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40})["JWT_SECRET"] == config["JWT_SECRET"]


@pytest.mark.parametrize(
    "environ",
    [
        PRODUCTION,
        {**PRODUCTION, "JWT_SECRET": "short"},
        {**PRODUCTION, "JWT_SECRET": "x" * 31},
        {"JWT_SECRET": "too short even in development"},
    ],
)
def test_missing_or_short_jwt_secret_is_refused(tmp_path, environ):
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        load_config({"INSTANCE_PATH": str(tmp_path), **environ})


def test_production_accepts_a_32_byte_key_and_a_custom_ttl(tmp_path):
    environ = {**PRODUCTION, "JWT_SECRET": "j" * 32, "JWT_TTL_SECONDS": "900", "INSTANCE_PATH": str(tmp_path)}
    config = load_config(environ)
    assert config["JWT_SECRET"] == "j" * 32 and config["JWT_TTL_SECONDS"] == 900


def test_bad_ttl_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="JWT_TTL_SECONDS"):
        load_config({"INSTANCE_PATH": str(tmp_path), "JWT_TTL_SECONDS": "soon"})
