"""Upstream billing adapters: a small Protocol and a registry by name."""

from __future__ import annotations

import threading

from flask import current_app

from webapp.config import PROVIDER_BACKOFF_CAP
from webapp.providers.base import BalanceReading, CostReport, Fee, Provider, ProviderError, UsageLine
from webapp.providers.demo import DemoProvider

__all__ = ["BalanceReading", "CostReport", "Fee", "Provider", "ProviderError", "UsageLine", "get_provider"]


_per_thread = threading.local()


def get_provider(name: str | None = None) -> Provider:
    """The configured provider adapter (PROVIDER), or the one named.

    The http adapter is kept per thread for the same settings, so a worker's jobs reuse its
    connections (keep-alive, and TLS sessions with a real provider) instead of opening one per job."""
    name = name or current_app.config["PROVIDER"]
    if name == "demo":
        return DemoProvider()
    if name == "http":
        from webapp.providers.http import HttpProvider

        config = current_app.config
        if not config.get("PROVIDER_URL"):
            raise ProviderError("the http provider needs PROVIDER_URL")
        settings = (
            config["PROVIDER_URL"],
            config.get("PROVIDER_TOKEN"),
            config["PROVIDER_TIMEOUT"],
            config["PROVIDER_MAX_RETRIES"],
            config["PROVIDER_MAX_RESPONSE_BYTES"],
        )
        kept = getattr(_per_thread, "http", None)
        if kept is None or kept[0] != settings:
            url, token, timeout, retries, max_bytes = settings
            provider = HttpProvider(
                url, token, timeout=timeout, max_retries=retries, backoff_cap=PROVIDER_BACKOFF_CAP, max_bytes=max_bytes
            )
            kept = _per_thread.http = (settings, provider)
        return kept[1]
    raise ProviderError(f"provider {name!r} is not available in this build")
