"""The HTTP client for webhooks: no proxies from the environment, no redirects followed, and the address
actually connected to checked against the private-address rule (so a name that resolves, or re-resolves,
to a private address is refused at send time)."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from webapp.notifications.urls import refused_address


class RefusedAddress(Exception):
    """The endpoint's host resolved to an address that may not receive webhooks."""


class _PeerChecked:
    """Mixed into urllib3's connections: after connecting, before a byte of the request is sent."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        reason = refused_address(self.sock.getpeername()[0])
        if reason:
            self.close()  # type: ignore[attr-defined]
            raise RefusedAddress(f"refused: {reason} (WEBHOOK_ALLOW_PRIVATE=1 allows it)")


class _CheckedHTTPConnection(_PeerChecked, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_PeerChecked, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


def _session(allow_private: bool) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the peer checked must be the receiver
    if not allow_private:
        session.mount("http://", _CheckedAdapter())
        session.mount("https://", _CheckedAdapter())
    return session


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> requests.Response:
    """POST once; the answer's body is not read (only its status and headers matter)."""
    with _session(allow_private) as session:
        response = session.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True)
        response.close()
    return response
