"""Upstream billing adapters: a small Protocol and a registry by name."""

from __future__ import annotations

from flask import current_app

from webapp.config import PROVIDER_BACKOFF_CAP
from webapp.providers.base import BalanceReading, CostReport, Fee, Provider, ProviderError, UsageLine
from webapp.providers.demo import DemoProvider

__all__ = ["BalanceReading", "CostReport", "Fee", "Provider", "ProviderError", "UsageLine", "get_provider"]


def get_provider(name: str | None = None) -> Provider:
    """The configured provider adapter (PROVIDER), or the one named."""
    name = name or current_app.config["PROVIDER"]
    if name == "demo":
        return DemoProvider()
    if name == "http":
        from webapp.providers.http import HttpProvider

        config = current_app.config
        if not config.get("PROVIDER_URL"):
            raise ProviderError("the http provider needs PROVIDER_URL")
        return HttpProvider(
            config["PROVIDER_URL"],
            config.get("PROVIDER_TOKEN"),
            timeout=config["PROVIDER_TIMEOUT"],
            max_retries=config["PROVIDER_MAX_RETRIES"],
            backoff_cap=PROVIDER_BACKOFF_CAP,
            max_bytes=config["PROVIDER_MAX_RESPONSE_BYTES"],
        )
    raise ProviderError(f"provider {name!r} is not available in this build")
