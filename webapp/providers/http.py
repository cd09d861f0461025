"""The `http` provider: the JSON-over-HTTP contract of docs/provider-api.md.

One retry layer lives here and only here: idempotent GETs are retried on
connection errors, 429 and 5xx with capped, jittered exponential backoff that
honours Retry-After. Everything that comes back is validated strictly; any
doubt is a ProviderError whose message is the reason (never the token).
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

import requests
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from webapp.domain.money import PRECISION, SCALE, is_currency, parse_plain_decimal
from webapp.domain.months import Month
from webapp.providers.base import (
    QUANTITY_FRAC_DIGITS,
    QUANTITY_INT_DIGITS,
    BalanceReading,
    CostReport,
    Fee,
    ProviderError,
    UsageLine,
    has_control_character,
)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024


class _NotJSON(ValueError):
    pass


def _reject_constant(name: str) -> None:
    raise _NotJSON(f"non-finite number {name}")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are unique: with a duplicate, which value is meant is anyone's guess."""
    data: dict[str, object] = {}
    for key, value in pairs:
        if key in data:
            raise ProviderError(f"ambiguous answer: duplicate key {key[:40]!r}")
        data[key] = value
    return data


def _parse(text: str) -> object:
    """Strict JSON: numbers with a fraction become Decimal, NaN/Infinity and duplicate keys are refused."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as error:
        raise ProviderError(f"response is not valid JSON ({error})") from None


def _field(data: object, name: str, where: str) -> object:
    if not isinstance(data, dict) or name not in data:
        raise ProviderError(f"{where}: missing field {name!r}")
    return data[name]


def _decimal(data: object, name: str, where: str, *, int_digits: int, frac_digits: int) -> Decimal:
    """Amounts and quantities travel as plain decimal strings ("12.50"); bare JSON numbers are refused."""
    raw = _field(data, name, where)
    if not isinstance(raw, str):
        raise ProviderError(f"{where}: {name} must be a decimal string, got {type(raw).__name__}")
    try:
        return parse_plain_decimal(raw, int_digits=int_digits, frac_digits=frac_digits, what=f"{where}.{name}")
    except ValueError as error:
        if raw in ("NaN", "Infinity", "-Infinity", "sNaN"):
            raise ProviderError(f"{where}: {name} is not a finite number: {raw!r}") from None
        raise ProviderError(str(error)) from None


def _amount(data: object, name: str, where: str) -> Decimal:
    return _decimal(data, name, where, int_digits=PRECISION - SCALE, frac_digits=SCALE)


def _quantity(data: object, name: str, where: str) -> Decimal:
    return _decimal(data, name, where, int_digits=QUANTITY_INT_DIGITS, frac_digits=QUANTITY_FRAC_DIGITS)


def _text(data: object, name: str, where: str) -> str:
    raw = _field(data, name, where)
    if not isinstance(raw, str) or not raw.strip():
        raise ProviderError(f"{where}: {name} must be a non-empty string")
    if has_control_character(raw):
        raise ProviderError(f"control character in {where}.{name}")
    return raw


def _optional_text(data: object, name: str, where: str) -> str | None:
    return None if _field(data, name, where) is None else _text(data, name, where)


def _currency(data: object, where: str) -> str:
    code = _field(data, "currency", where)
    if isinstance(code, str) and has_control_character(code):
        raise ProviderError(f"control character in {where}.currency")
    if not is_currency(code):
        raise ProviderError(f"{where}: unknown currency code {code!r}")
    return code  # type: ignore[return-value]


def _list(data: object, name: str, where: str) -> list[object]:
    raw = _field(data, name, where)
    if not isinstance(raw, list):
        raise ProviderError(f"{where}: {name} must be a list")
    return raw


def parse_balance(data: object) -> BalanceReading:
    return BalanceReading(amount=_amount(data, "amount", "balance"), currency=_currency(data, "balance"))


def _fee(data: object, where: str) -> Fee:
    return Fee(code=_text(data, "code", where), name=_text(data, "name", where), amount=_amount(data, "amount", where))


def _usage_line(data: object, where: str) -> UsageLine:
    return UsageLine(
        service=_text(data, "service", where),
        operator_id=_optional_text(data, "operator_id", where),
        operator_name=_optional_text(data, "operator_name", where),
        quantity=_quantity(data, "quantity", where),
        unit=_text(data, "unit", where),
        amount=_amount(data, "amount", where),
    )


def parse_costs(data: object) -> CostReport | None:
    costs = _field(data, "costs", "costs")
    if costs is None:
        return None  # "no costs yet" for this month
    fees = tuple(_fee(f, f"fees[{i}]") for i, f in enumerate(_list(costs, "fees", "costs")))
    lines = tuple(_usage_line(u, f"usage_lines[{i}]") for i, u in enumerate(_list(costs, "usage_lines", "costs")))
    return CostReport(
        currency=_currency(costs, "costs"), total=_amount(costs, "total", "costs"), fees=fees, usage_lines=lines
    )


class HttpProvider:
    """Talks to a provider that implements docs/provider-api.md.

    `timeout` is a total deadline per request (connect, headers and body together), not per
    socket read, so a provider that drips its answer fails at the deadline; bodies larger
    than `max_bytes` are refused without being read to the end.
    """

    name = "http"

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 3.05,
        max_retries: int = 3,
        backoff: float = 0.5,
        backoff_cap: float = 8.0,
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(connect_timeout, timeout), timeout)  # (connect, total deadline)
        self.max_retries, self.backoff, self.backoff_cap = max_retries, backoff, backoff_cap
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        return parse_balance(self._get(f"/v1/accounts/{quote(account_ref, safe='')}/balance"))

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime) -> CostReport | None:
        return parse_costs(self._get(f"/v1/accounts/{quote(account_ref, safe='')}/costs/{Month(year, month)}"))

    def _get(self, path: str) -> object:
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                status, retry_after, body = self._request(path)
            except _Retryable as error:
                if last:
                    raise ProviderError(f"GET {path}: {error}") from None
                self._sleep(self._delay(attempt, None))
                continue
            if status in RETRYABLE_STATUS and not last:
                self._sleep(self._delay(attempt, retry_after))
                continue
            return self._decode(path, status, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, path: str) -> tuple[int, str | None, str]:
        """One GET within the deadline: (status, Retry-After, body text of a JSON 200, else "")."""
        connect, total = self.timeout
        deadline = time.monotonic() + total
        try:
            with self._session.get(
                self.base_url + path, timeout=(connect, total), allow_redirects=False, stream=True
            ) as response:
                if response.status_code != 200:
                    return response.status_code, response.headers.get("Retry-After"), ""
                _check_content_type(path, response)
                return 200, None, _read_body(path, response, deadline, self.max_bytes)
        except (TimeoutError, requests.Timeout, ReadTimeoutError):
            raise _Retryable("provider timed out") from None
        except (requests.ConnectionError, ProtocolError):
            if time.monotonic() >= deadline:
                raise _Retryable("provider timed out") from None
            raise _Retryable("cannot connect to the provider") from None

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Full-jitter exponential backoff, capped; a (capped) Retry-After wins when it asks for longer."""
        delay = random.uniform(0, min(self.backoff_cap, self.backoff * 2**attempt))
        if retry_after is not None:
            with contextlib.suppress(ValueError):  # an HTTP-date or junk: keep the computed delay
                delay = max(delay, min(self.backoff_cap, float(retry_after)))
        return delay

    @staticmethod
    def _decode(path: str, status: int, body: str) -> object:
        if status in (401, 403):
            raise ProviderError(f"GET {path}: provider refused the credentials (HTTP {status})")
        if status == 404:
            raise ProviderError(f"GET {path}: provider does not know this account (HTTP 404)")
        if status != 200:
            raise ProviderError(f"GET {path}: provider answered HTTP {status}")
        return _parse(body)


class _Retryable(Exception):
    """A transport failure worth another attempt: the message is the reason."""


def _check_content_type(path: str, response: requests.Response) -> None:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ProviderError(f"GET {path}: expected application/json, got {content_type or 'no content type'!r}")


def _read_body(path: str, response: requests.Response, deadline: float, max_bytes: int) -> str:
    """The body, read in pieces as they arrive; each socket wait is cut to what is left of the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ProviderError(f"GET {path}: response too large ({declared} bytes, limit {max_bytes})")
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    body = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Retryable("provider timed out")
        if sock is not None:
            sock.settimeout(remaining)
        chunk = response.raw.read1(_CHUNK, decode_content=True)
        if not chunk:
            break
        body += chunk
        if len(body) > max_bytes:
            raise ProviderError(f"GET {path}: response too large (over {max_bytes} bytes)")
    try:
        return body.decode(response.encoding or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise ProviderError(f"GET {path}: response is not valid UTF-8") from None
