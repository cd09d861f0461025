"""Endpoint URLs: http(s) only, no credentials; addresses that are private, loopback or link-local refused
(unless WEBHOOK_ALLOW_PRIVATE=1), both when an endpoint is created and for the address connected to at send time."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from webapp.services.errors import ValidationError

MAX_URL_LENGTH = 2000


def refused_address(address: str) -> str | None:
    """Why this IP address may not receive webhooks, or None if it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return f"{ip} is a {kind.replace('_', '-')} address"
    return None


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, trimmed, or a ValidationError that says what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise ValidationError("url", "Enter the endpoint's URL.")
    if len(url) > MAX_URL_LENGTH or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ValidationError("url", "The URL is too long or contains spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError("url", "The URL must start with https:// (or http://).")
    if "@" in parts.netloc:
        raise ValidationError("url", "The URL must not contain a user name or password.")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValidationError("url", "The URL's port is not a number between 1 and 65535.") from None
    if not parts.hostname:
        raise ValidationError("url", "The URL has no host name.")
    if parts.fragment:
        raise ValidationError("url", "The URL must not contain a #fragment.")
    if not allow_private and (reason := _literal_refused(parts.hostname)):
        raise ValidationError("url", f"Refused: {reason} (set WEBHOOK_ALLOW_PRIVATE=1 to allow private addresses).")
    return url


def _literal_refused(host: str) -> str | None:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return f"{host} is a loopback name"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: its addresses are checked when it is connected to
    return refused_address(host)
