"""Configuration: the only module that reads os.environ."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from webapp.config_anomalies import anomaly_params

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "testing")
PROVIDERS = ("demo", "http")
PROVIDER_BACKOFF_CAP = 8.0  # seconds: the http provider's longest wait between retries


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _instance_path(environ: dict[str, str]) -> Path:
    return Path(environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()


def _database_url(environ: dict[str, str], instance: Path) -> str:
    url = environ.get("DATABASE_URL") or f"sqlite:///{instance / 'accountdesk.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {url!r}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def _dev_secret(instance: Path) -> str:
    """A development secret generated once and kept under instance/ (never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _positive_number(environ: dict[str, str], name: str, default: str) -> float:
    raw = environ.get(name, default)
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive finite number, got {raw!r}")
    return value


def _positive_int(environ: dict[str, str], name: str, default: str) -> int:
    raw = environ.get(name, default)
    if not raw.strip().isascii() or not raw.strip().isdigit() or len(raw.strip()) > 12 or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def _count(environ: dict[str, str], name: str) -> int:
    raw = environ.get(name, "0").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ConfigError(f"{name} must be a whole number (0 or more), got {raw!r}")
    return int(raw)


def _jwt_secret(environ: dict[str, str], production: bool, secret_key: str) -> str:
    """HS256 key for API tokens: JWT_SECRET, or in development a key derived from SECRET_KEY."""
    value = environ.get("JWT_SECRET")
    if value is not None and len(value.encode()) < 32:
        raise ConfigError("JWT_SECRET must be at least 32 bytes")
    if value:
        return value
    if production:
        raise ConfigError("JWT_SECRET (at least 32 bytes) is required when ACCOUNTDESK_ENV=production")
    return hmac.new(secret_key.encode(), b"accountdesk api tokens", hashlib.sha256).hexdigest()


def _webhook_secrets_keys(environ: dict[str, str], production: bool, secret_key: str) -> tuple[str, ...]:
    """Fernet keys sealing webhook signing secrets at rest (notifications/sealing.py): WEBHOOK_SECRETS_KEYS,
    comma-separated, the newest first; in development one derived from SECRET_KEY."""
    raw = environ.get("WEBHOOK_SECRETS_KEYS", "").strip()
    if not raw:
        if production:
            raise ConfigError("WEBHOOK_SECRETS_KEYS is required when ACCOUNTDESK_ENV=production (docs/deployment.md)")
        digest = hmac.new(secret_key.encode(), b"accountdesk webhook secrets", hashlib.sha256).digest()
        return (base64.urlsafe_b64encode(digest).decode(),)
    keys = tuple(part.strip() for part in raw.split(","))
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                "WEBHOOK_SECRETS_KEYS must be comma-separated Fernet keys (32 url-safe base64-encoded bytes each), "
                "e.g. from `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
            ) from None
    return keys


def _jwt_settings(environ: dict[str, str], production: bool, secret_key: str) -> dict:
    return {
        "JWT_SECRET": _jwt_secret(environ, production, secret_key),
        "JWT_ISSUER": environ.get("JWT_ISSUER", "accountdesk"),
        "JWT_AUDIENCE": environ.get("JWT_AUDIENCE", "accountdesk-api"),
        "JWT_TTL_SECONDS": _positive_int(environ, "JWT_TTL_SECONDS", "3600"),
        "API_RATE_LIMIT": environ.get("API_RATE_LIMIT", "600 per minute"),
        "API_TOKEN_RATE_LIMIT": environ.get("API_TOKEN_RATE_LIMIT", "30 per minute"),
    }


def _provider_limits(environ: dict[str, str]) -> dict:
    """Response size cap, retries, and an RQ job timeout comfortably above the worst provider call:
    twice (attempts x total deadline + backoff between them), plus a minute for the transaction."""
    timeout = _positive_number(environ, "PROVIDER_TIMEOUT", "10")
    retries = _count(environ, "PROVIDER_MAX_RETRIES") if environ.get("PROVIDER_MAX_RETRIES") else 3
    worst_call = (retries + 1) * timeout + retries * PROVIDER_BACKOFF_CAP
    return {
        "PROVIDER_MAX_RETRIES": retries,
        "PROVIDER_MAX_RESPONSE_BYTES": _positive_int(environ, "PROVIDER_MAX_RESPONSE_BYTES", str(4 * 1024 * 1024)),
        "COLLECT_JOB_TIMEOUT": max(300, int(2 * worst_call) + 60),
    }


def _environment(environ: dict[str, str]) -> str:
    env = environ.get("ACCOUNTDESK_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"ACCOUNTDESK_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    return env


def _require_production_settings(environ: dict[str, str]) -> None:
    secret = environ.get("SECRET_KEY")
    if not secret or len(secret.encode()) < 32:
        raise ConfigError("SECRET_KEY (at least 32 bytes) is required when ACCOUNTDESK_ENV=production")
    if not environ.get("DATABASE_URL"):
        raise ConfigError("DATABASE_URL is required when ACCOUNTDESK_ENV=production")
    if not environ.get("REDIS_URL"):
        # RQ needs it, and rate-limit counters must be shared by every web process.
        raise ConfigError("REDIS_URL is required when ACCOUNTDESK_ENV=production")


def _provider(environ: dict[str, str], production: bool) -> str:
    provider = environ.get("PROVIDER", "demo")
    if provider not in PROVIDERS:
        raise ConfigError(f"PROVIDER must be one of {', '.join(PROVIDERS)}, got {provider!r}")
    if provider == "http" and not environ.get("PROVIDER_URL"):
        raise ConfigError("PROVIDER_URL is required when PROVIDER=http")
    if provider == "http" and production and not environ.get("PROVIDER_TOKEN"):
        raise ConfigError("PROVIDER_TOKEN is required when PROVIDER=http and ACCOUNTDESK_ENV=production")
    return provider


def _collect_interval_seconds(environ: dict[str, str]) -> float:
    interval_hours = _positive_number(environ, "COLLECT_INTERVAL_HOURS", "3")
    # Seconds override the hours (short intervals for local full-stack runs and tests).
    return _positive_number(environ, "COLLECT_INTERVAL_SECONDS", str(interval_hours * 3600))


def _background_collector(environ: dict[str, str], env: str) -> bool:
    """Collect on the schedule inside the web process: on by default without Redis (the RQ scheduler
    does it with Redis), off under tests unless asked for (docs/collector.md)."""
    raw = environ.get("BACKGROUND_COLLECTOR", "").strip().lower()
    if raw not in ("", "on", "off"):
        raise ConfigError(f"BACKGROUND_COLLECTOR must be on or off, got {raw!r}")
    if environ.get("REDIS_URL"):
        if raw == "on":
            raise ConfigError("BACKGROUND_COLLECTOR=on needs REDIS_URL unset: with Redis the RQ scheduler collects")
        return False
    return raw == "on" if raw else env != "testing"


def _cookie_settings(production: bool) -> dict:
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _smtp(environ: dict[str, str]) -> dict | None:
    """SMTP_URL: smtp://[user:pass@]host[:port][?starttls=1] or smtps://… (TLS from the start); None: local outbox."""
    raw = environ.get("SMTP_URL", "").strip()
    if not raw:
        return None
    parsed = urlsplit(raw)
    query = parse_qs(parsed.query)
    starttls = query.pop("starttls", ["0"])[-1]
    try:
        port = parsed.port
    except ValueError:
        port = -1
    malformed = port == -1 or bool(query) or starttls not in ("0", "1")
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname or malformed:
        raise ConfigError("SMTP_URL must look like smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465")
    tls = "ssl" if parsed.scheme == "smtps" else ("starttls" if starttls == "1" else None)
    return {
        "host": parsed.hostname,
        "port": port or (465 if tls == "ssl" else 25),
        "username": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "tls": tls,
    }


def _notification_settings(environ: dict[str, str]) -> dict:
    timeout = _positive_number(environ, "WEBHOOK_TIMEOUT", "10")
    if timeout > 15:
        raise ConfigError(f"WEBHOOK_TIMEOUT must be at most 15 seconds, got {timeout:g}")
    allow_private = environ.get("WEBHOOK_ALLOW_PRIVATE", "0").strip()
    if allow_private not in ("0", "1"):
        raise ConfigError(f"WEBHOOK_ALLOW_PRIVATE must be 0 or 1, got {allow_private!r}")
    return {
        "SMTP": _smtp(environ),
        "MAIL_FROM": environ.get("MAIL_FROM", "Account Desk <accountdesk@localhost>"),
        "WEBHOOK_TIMEOUT": timeout,
        "WEBHOOK_ALLOW_PRIVATE": allow_private == "1",
    }


def load_config(environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    environ = dict(os.environ if environ is None else environ)
    env = _environment(environ)
    production = env == "production"
    if production:
        _require_production_settings(environ)
    provider = _provider(environ, production)
    interval_seconds = _collect_interval_seconds(environ)
    instance = _instance_path(environ)
    secret = environ.get("SECRET_KEY") or _dev_secret(instance)
    return {
        "ENV_NAME": env,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(environ, instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": environ.get("REDIS_URL") or None,
        "PROVIDER": provider,
        "PROVIDER_URL": environ.get("PROVIDER_URL"),
        "PROVIDER_TOKEN": environ.get("PROVIDER_TOKEN"),
        "PROVIDER_TIMEOUT": _positive_number(environ, "PROVIDER_TIMEOUT", "10"),
        **_provider_limits(environ),
        "COLLECT_INTERVAL_SECONDS": interval_seconds,
        "COLLECT_INTERVAL_HOURS": interval_seconds / 3600,  # the effective interval, for staleness
        "BACKGROUND_COLLECTOR": _background_collector(environ, env),
        "LOGIN_RATE_LIMIT": environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        "LOGIN_SESSION_HOURS": _positive_number(environ, "LOGIN_SESSION_HOURS", "12"),
        "TRUSTED_PROXY_COUNT": _count(environ, "TRUSTED_PROXY_COUNT"),
        **_cookie_settings(production),
        # Static URLs carry a content hash (asset_url), so browsers may keep them for a year.
        "SEND_FILE_MAX_AGE_DEFAULT": 31536000,
        "TESTING": env == "testing",
        **_jwt_settings(environ, production, secret),
        "WEBHOOK_SECRETS_KEYS": _webhook_secrets_keys(environ, production, secret),
        **_alert_settings(environ),
        "ANOMALY_PARAMS": anomaly_params(environ, ConfigError),
        **_notification_settings(environ),
    }


def _alert_settings(environ: dict[str, str]) -> dict:
    """The alert rules' defaults (SPEC §10); an organisation's overrides are kept with it."""
    raw_days = environ.get("ALERT_RUNWAY_DAYS", "14,7,2")
    try:
        days = tuple(int(part) for part in raw_days.split(","))
    except ValueError:
        days = ()
    if len(days) != 3 or not days[0] > days[1] > days[2] > 0:
        raise ConfigError(f"ALERT_RUNWAY_DAYS must be three decreasing whole days, e.g. 14,7,2; got {raw_days!r}")
    return {
        "ALERT_RUNWAY_DAYS": days,
        "ALERT_RUNWAY_MARGIN_DAYS": _count(environ, "ALERT_RUNWAY_MARGIN_DAYS")
        if "ALERT_RUNWAY_MARGIN_DAYS" in environ
        else 2,
        "ALERT_LOW_BALANCE_BAND_PERCENT": _count(environ, "ALERT_LOW_BALANCE_BAND_PERCENT")
        if "ALERT_LOW_BALANCE_BAND_PERCENT" in environ
        else 10,
        "ALERT_FAILING_STREAK": _positive_int(environ, "ALERT_FAILING_STREAK", "3"),
    }
