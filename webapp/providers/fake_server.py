"""A fake provider: the demo simulation served over the docs/provider-api.md contract.

For local runs of the full stack (`flask fake-provider --port 8081`) and for
tests (`running(FakeProvider())` on 127.0.0.1:0). Faults are switches: latency,
an HTTP status for everything or per account (with Retry-After), a number of
failures before recovering, and malformed answers. A running server's switches
can be changed with `POST /_faults` (a JSON object of the fields below).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from webapp.domain.money import format_amount
from webapp.domain.months import Month
from webapp.providers.base import CostReport, ProviderError
from webapp.providers.demo import DemoProvider

BALANCE = re.compile(r"^/v1/accounts/([^/]+)/balance$")
COSTS = re.compile(r"^/v1/accounts/([^/]+)/costs/(\d{4})-(\d{2})$")
MALFORMED = ("html", "truncated", "nan", "float", "missing", "currency", "infinity", "duplicate")
HUGE_BYTES = 200 * 1024 * 1024


@dataclass
class Faults:
    latency: float = 0.0  # seconds before every answer
    status: int | None = None  # answer every request with this status
    retry_after: str | None = None  # sent with `status` / `failing_refs` answers
    fail_times: int = 0  # only the next N requests get `status`; 0 = all of them
    failing_refs: dict[str, int] = field(default_factory=dict)  # account -> status
    slow_refs: dict[str, float] = field(default_factory=dict)  # account -> extra seconds
    malformed: str | None = None  # one of MALFORMED
    frozen_at: str | None = None  # ISO time the simulation answers as of (default: now)
    constant: bool = False  # skip the (CPU-heavy) simulation: a fixed balance, no costs (load tests)
    patch: dict[str, object] = field(default_factory=dict)  # "costs.usage_lines.3.quantity" -> value to answer
    drip_refs: dict[str, float] = field(default_factory=dict)  # account -> seconds between bytes of its answer
    huge_refs: dict[str, str] = field(default_factory=dict)  # account -> "declared" | "chunked": a 200 MB answer


def _costs_json(report: CostReport | None) -> dict | None:
    if report is None:
        return None
    return {
        "currency": report.currency,
        "total": format_amount(report.total),
        "fees": [{"code": f.code, "name": f.name, "amount": format_amount(f.amount)} for f in report.fees],
        "usage_lines": [
            {
                "service": u.service,
                "operator_id": u.operator_id,
                "operator_name": u.operator_name,
                "quantity": format_amount(u.quantity),
                "unit": u.unit,
                "amount": format_amount(u.amount),
            }
            for u in report.usage_lines
        ],
    }


def _malformed(kind: str, body: dict) -> Response:
    if kind == "html":
        return Response("<html><body>Maintenance</body></html>", 200, content_type="text/html")
    if kind == "truncated":
        return Response(json.dumps(body)[:-7], 200, content_type="application/json")
    target = body.get("costs") or body
    if kind in ("nan", "infinity"):
        target["amount" if "amount" in target else "total"] = "NaN" if kind == "nan" else "Infinity"
    elif kind == "float":
        key = "amount" if "amount" in target else "total"
        target[key] = float(target[key])
    elif kind == "missing":
        target.pop("currency", None)
    elif kind == "currency":
        target["currency"] = "XYZ"
    elif kind == "duplicate":  # the same key twice: which one is meant?
        text = json.dumps(body)
        return Response(text[:-1] + ', "currency": "USD"}', 200, content_type="application/json")
    return Response(json.dumps(body), 200, content_type="application/json")


def _patched(body: dict, patch: dict[str, object]) -> dict:
    """Set each dotted path ("costs.fees.0.amount") in the answer to the value asked for."""
    for path, value in patch.items():
        *parents, last = path.split(".")
        target: Any = body
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[int(last) if isinstance(target, list) else last] = value
    return body


def _drip(text: str, pause: float) -> Response:
    """The answer one byte at a time: each read is quick, the whole takes len(text) * pause seconds."""

    def chunks() -> Iterator[bytes]:
        for byte in text.encode():
            time.sleep(pause)
            yield bytes([byte])

    return Response(chunks(), 200, content_type="application/json")


def _huge(how: str) -> Response:
    """200 MB of JSON whitespace and a body: with or without a Content-Length that says so."""
    tail = b'{"amount": "1.00", "currency": "EUR"}'
    pad = b" " * (1024 * 1024)

    def chunks() -> Iterator[bytes]:
        for _ in range((HUGE_BYTES - len(tail)) // len(pad)):
            yield pad
        yield tail

    response = Response(chunks(), 200, content_type="application/json")
    if how == "declared":
        response.headers["Content-Length"] = str((HUGE_BYTES - len(tail)) // len(pad) * len(pad) + len(tail))
    return response


class FakeProvider:
    """The WSGI application; `hits` lists every account path asked for, in order."""

    def __init__(self, token: str | None = None, faults: Faults | None = None) -> None:
        self.token = token
        self.faults = faults or Faults()
        self.hits: list[str] = []
        self._demo = DemoProvider()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        return self.handle(Request(environ))(environ, start_response)

    def set_faults(self, **changes) -> None:
        with self._lock:
            self.faults = Faults(**{**self.faults.__dict__, **changes})

    def handle(self, request: Request) -> Response:
        if request.path == "/_faults" and request.method == "POST":
            known = {f.name for f in fields(Faults)}
            self.set_faults(**{k: v for k, v in (request.get_json(silent=True) or {}).items() if k in known})
            return Response(json.dumps(self.faults.__dict__), content_type="application/json")
        if self.token and request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, "unauthorized")
        with self._lock:
            self.hits.append(request.path)
            faults = self.faults
            injected = self._injected_status(request.path, faults)
        time.sleep(faults.latency + self._extra_latency(request.path, faults))
        if injected:
            return self._error(injected, "injected failure", faults.retry_after)
        return self._answer(request.path, faults)

    def _injected_status(self, path: str, faults: Faults) -> int | None:
        for ref, failing in faults.failing_refs.items():
            if f"/accounts/{ref}/" in path:
                return failing
        status: int | None = faults.status
        if status is not None and faults.fail_times:
            faults.fail_times -= 1
            if not faults.fail_times:
                faults.status = None  # recovered after the requested number of failures
        return status

    @staticmethod
    def _extra_latency(path: str, faults: Faults) -> float:
        return sum(delay for ref, delay in faults.slow_refs.items() if f"/accounts/{ref}/" in path)

    def _answer(self, path: str, faults: Faults) -> Response:
        at = datetime.fromisoformat(faults.frozen_at) if faults.frozen_at else datetime.now(UTC)
        if faults.constant and (BALANCE.match(path) or COSTS.match(path)):
            return Response(
                json.dumps({"amount": "100.00", "currency": "EUR", "costs": None}), 200, content_type="application/json"
            )
        try:
            if match := BALANCE.match(path):
                reading = self._demo.balance(match.group(1), as_of=at)
                body = {"account": match.group(1), "amount": format_amount(reading.amount)}
                body["currency"] = reading.currency
            elif match := COSTS.match(path):
                ref, year, month = match.group(1), int(match.group(2)), int(match.group(3))
                report = self._demo.month_costs(ref, year, month, as_of=at)
                body = {"account": ref, "month": str(Month(year, month)), "costs": _costs_json(report)}
            else:
                return self._error(404, "not found")
        except ProviderError as error:
            return self._error(422, str(error))
        return self._shaped(path, faults, _patched(body, faults.patch))

    @staticmethod
    def _shaped(path: str, faults: Faults, body: dict) -> Response:
        for ref, how in faults.huge_refs.items():
            if f"/accounts/{ref}/" in path:
                return _huge(how)
        for ref, pause in faults.drip_refs.items():
            if f"/accounts/{ref}/" in path:
                return _drip(json.dumps(body), pause)
        if faults.malformed:
            return _malformed(faults.malformed, body)
        return Response(json.dumps(body), 200, content_type="application/json")

    @staticmethod
    def _error(status: int, message: str, retry_after: str | None = None) -> Response:
        response = Response(json.dumps({"error": message}), status, content_type="application/json")
        if retry_after is not None:
            response.headers["Retry-After"] = retry_after
        return response


@contextmanager
def running(app: FakeProvider, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` from a thread; yields its base URL and always shuts it down."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def serve_forever(host: str, port: int, token: str | None, faults: Faults) -> None:
    make_server(host, port, FakeProvider(token, faults), threaded=True).serve_forever()
