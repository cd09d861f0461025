"""Configuration comes only from the environment; production refuses weak settings."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from webapp.config import ConfigError, load_config
from webapp.domain.anomalies import AnomalyParams

WEBHOOK_KEY = base64.urlsafe_b64encode(b"w" * 32).decode()  # a test key (32 bytes), not a secret
PRODUCTION = {  # everything production requires
    "ACCOUNTDESK_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://u@db/accountdesk",
    "JWT_SECRET": "j" * 32,
    "REDIS_URL": "redis://r:6379/0",
    "WEBHOOK_SECRETS_KEYS": WEBHOOK_KEY,
}


def _without(name: str) -> dict[str, str]:
    return {key: value for key, value in PRODUCTION.items() if key != name}


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
                "REDIS_URL": "redis://r:6379/0",
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
    config = load_config({"INSTANCE_PATH": str(tmp_path), **PRODUCTION})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/accountdesk"
    assert not (tmp_path / "secret_key").exists()
    assert config["WEBHOOK_SECRETS_KEYS"] == (WEBHOOK_KEY,)


def test_collect_interval_in_hours_or_seconds(tmp_path):
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["COLLECT_INTERVAL_SECONDS"] == 3 * 3600
    hourly = load_config({"INSTANCE_PATH": str(tmp_path), "COLLECT_INTERVAL_HOURS": "1"})
    assert hourly["COLLECT_INTERVAL_SECONDS"] == 3600
    fast = load_config({"INSTANCE_PATH": str(tmp_path), "COLLECT_INTERVAL_SECONDS": "5"})
    assert fast["COLLECT_INTERVAL_SECONDS"] == 5


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"COLLECT_INTERVAL_HOURS": "inf"}, "COLLECT_INTERVAL_HOURS"),
        ({"PROVIDER_TIMEOUT": "nan"}, "PROVIDER_TIMEOUT"),
        ({"JWT_TTL_SECONDS": "0.5"}, "JWT_TTL_SECONDS"),
        ({"JWT_TTL_SECONDS": "0"}, "JWT_TTL_SECONDS"),
    ],
)
def test_non_finite_and_fractional_settings_are_refused(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config({"INSTANCE_PATH": str(tmp_path), **environ})


def test_the_effective_interval_drives_staleness(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path), "COLLECT_INTERVAL_SECONDS": "43200"})
    assert config["COLLECT_INTERVAL_HOURS"] == 12


def test_production_requires_redis(tmp_path):
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_config({"INSTANCE_PATH": str(tmp_path), **_without("REDIS_URL")})


@pytest.mark.parametrize("raw", ["-1", "one", "1.5"])
def test_trusted_proxy_count_must_be_a_count(tmp_path, raw):
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_COUNT"):
        load_config({"INSTANCE_PATH": str(tmp_path), "TRUSTED_PROXY_COUNT": raw})


def test_the_background_collector_runs_without_redis_but_not_under_tests_unless_asked(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path)}
    assert load_config(base)["BACKGROUND_COLLECTOR"] is True
    assert load_config({**base, "REDIS_URL": "redis://127.0.0.1:6379/0"})["BACKGROUND_COLLECTOR"] is False
    assert load_config({**base, "ACCOUNTDESK_ENV": "testing"})["BACKGROUND_COLLECTOR"] is False
    assert load_config({**base, "ACCOUNTDESK_ENV": "testing", "BACKGROUND_COLLECTOR": "on"})["BACKGROUND_COLLECTOR"]
    assert load_config({**base, "BACKGROUND_COLLECTOR": "off"})["BACKGROUND_COLLECTOR"] is False
    with pytest.raises(ConfigError, match="BACKGROUND_COLLECTOR must be on or off"):
        load_config({**base, "BACKGROUND_COLLECTOR": "sometimes"})
    with pytest.raises(ConfigError, match="the RQ scheduler collects"):
        load_config({**base, "BACKGROUND_COLLECTOR": "on", "REDIS_URL": "redis://127.0.0.1:6379/0"})


def test_webhook_secrets_keys(tmp_path):
    """Production needs WEBHOOK_SECRETS_KEYS (Fernet keys, newest first); development derives one from
    SECRET_KEY (the same every start); a malformed key is refused at start-up, naming the setting."""
    production = {"INSTANCE_PATH": str(tmp_path), **_without("WEBHOOK_SECRETS_KEYS")}
    with pytest.raises(ConfigError, match="WEBHOOK_SECRETS_KEYS is required"):
        load_config(production)
    older = base64.urlsafe_b64encode(b"o" * 32).decode()
    rotated = load_config({**production, "WEBHOOK_SECRETS_KEYS": f"{WEBHOOK_KEY}, {older}"})
    assert rotated["WEBHOOK_SECRETS_KEYS"] == (WEBHOOK_KEY, older)
    for bad in ("not-a-key", f"{WEBHOOK_KEY},", base64.urlsafe_b64encode(b"short").decode()):
        with pytest.raises(ConfigError, match="Fernet keys"):
            load_config({**production, "WEBHOOK_SECRETS_KEYS": bad})
    development = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40}
    derived = load_config(development)["WEBHOOK_SECRETS_KEYS"]
    assert derived == load_config(development)["WEBHOOK_SECRETS_KEYS"] and len(derived) == 1
    assert derived != load_config({**development, "SECRET_KEY": "m" * 40})["WEBHOOK_SECRETS_KEYS"]


def test_anomaly_thresholds_default_and_come_from_the_environment(tmp_path):
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["ANOMALY_PARAMS"] == AnomalyParams()
    settings = {"ANOMALY_MIN_EXCESS": "100.50", "ANOMALY_MIN_RATIO": "2", "ANOMALY_MAD_FACTOR": "4.5"}
    settings |= {"ANOMALY_MIN_HISTORY_DAYS": "21", "ANOMALY_QUIET_DAYS": "3"}
    params = load_config({"INSTANCE_PATH": str(tmp_path), **settings})["ANOMALY_PARAMS"]
    assert (params.min_excess, params.min_ratio, params.mad_factor) == (Decimal("100.50"), 2, Decimal("4.5"))
    assert (params.min_history_days, params.quiet_days, params.window_days) == (21, 3, 28)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANOMALY_MIN_EXCESS", "0"),
        ("ANOMALY_MIN_EXCESS", "-5"),
        ("ANOMALY_MIN_EXCESS", "lots"),
        ("ANOMALY_MIN_EXCESS", "1e400"),
        ("ANOMALY_MIN_EXCESS", "0.000000001"),
        ("ANOMALY_MIN_RATIO", "1"),
        ("ANOMALY_MIN_RATIO", "NaN"),
        ("ANOMALY_MAD_FACTOR", "Infinity"),
        ("ANOMALY_MIN_HISTORY_DAYS", "6"),
        ("ANOMALY_MIN_HISTORY_DAYS", "29"),
        ("ANOMALY_QUIET_DAYS", "0"),
        ("ANOMALY_QUIET_DAYS", "1.5"),
        ("ANOMALY_QUIET_DAYS", "91"),
        ("ANOMALY_QUIET_DAYS", "9" * 5000),
        ("ANOMALY_MIN_EXCESS", "1_000"),
        ("ANOMALY_MIN_EXCESS", "\u0662\u0665"),
        ("ANOMALY_MIN_EXCESS", "1E+3"),
    ],
)
def test_bad_anomaly_thresholds_are_refused_with_their_name(tmp_path, name, value):
    with pytest.raises(ConfigError, match=f"{name} must be .*got "):
        load_config({"INSTANCE_PATH": str(tmp_path), name: value})


@pytest.mark.parametrize("name", ["JWT_TTL_SECONDS", "TRUSTED_PROXY_COUNT"])
def test_a_whole_number_too_long_to_read_is_refused_with_its_name(tmp_path, name):
    with pytest.raises(ConfigError, match=name):
        load_config({"INSTANCE_PATH": str(tmp_path), name: "9" * 5000})
