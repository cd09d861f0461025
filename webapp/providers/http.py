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

from webapp.domain.money import is_currency
from webapp.providers.base import BalanceReading, CostReport, Fee, ProviderError, UsageLine

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class _NotJSON(ValueError):
    pass


def _reject_constant(name: str) -> None:
    raise _NotJSON(f"non-finite number {name}")


def _parse(text: str) -> object:
    """Strict JSON: numbers with a fraction become Decimal, NaN/Infinity are refused."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise ProviderError(f"response is not valid JSON ({error})") from None


def _field(data: object, name: str, where: str) -> object:
    if not isinstance(data, dict) or name not in data:
        raise ProviderError(f"{where}: missing field {name!r}")
    return data[name]


def _amount(data: object, name: str, where: str) -> Decimal:
    """Amounts travel as decimal strings ("12.50"); bare JSON numbers are refused."""
    raw = _field(data, name, where)
    if not isinstance(raw, str):
        raise ProviderError(f"{where}: {name} must be a decimal string, got {type(raw).__name__}")
    try:
        value = Decimal(raw.strip())
    except ArithmeticError:
        raise ProviderError(f"{where}: {name} is not a number: {raw!r}") from None
    if not value.is_finite():
        raise ProviderError(f"{where}: {name} is not a finite number: {raw!r}")
    return value


def _text(data: object, name: str, where: str, *, optional: bool = False) -> str | None:
    raw = _field(data, name, where)
    if raw is None and optional:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise ProviderError(f"{where}: {name} must be a non-empty string")
    return raw


def _currency(data: object, where: str) -> str:
    code = _field(data, "currency", where)
    if not is_currency(code):
        raise ProviderError(f"{where}: unknown currency code {code!r}")
    return code  # type: ignore[return-value]


def _list(data: object, name: str, where: str) -> list:
    raw = _field(data, name, where)
    if not isinstance(raw, list):
        raise ProviderError(f"{where}: {name} must be a list")
    return raw


def parse_balance(data: object) -> BalanceReading:
    return BalanceReading(amount=_amount(data, "amount", "balance"), currency=_currency(data, "balance"))


def parse_costs(data: object) -> CostReport | None:
    costs = _field(data, "costs", "costs")
    if costs is None:
        return None  # "no costs yet" for this month
    fees = tuple(
        Fee(code=_text(f, "code", "fee"), name=_text(f, "name", "fee"), amount=_amount(f, "amount", "fee"))
        for f in _list(costs, "fees", "costs")
    )
    lines = tuple(
        UsageLine(
            service=_text(u, "service", "usage line"),
            operator_id=_text(u, "operator_id", "usage line", optional=True),
            operator_name=_text(u, "operator_name", "usage line", optional=True),
            quantity=_amount(u, "quantity", "usage line"),
            unit=_text(u, "unit", "usage line"),
            amount=_amount(u, "amount", "usage line"),
        )
        for u in _list(costs, "usage_lines", "costs")
    )
    return CostReport(
        currency=_currency(costs, "costs"), total=_amount(costs, "total", "costs"), fees=fees, usage_lines=lines
    )


class HttpProvider:
    """Talks to a provider that implements docs/provider-api.md."""

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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.max_retries, self.backoff, self.backoff_cap = max_retries, backoff, backoff_cap
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def balance(self, account_ref: str, *, as_of: datetime) -> BalanceReading:
        return parse_balance(self._get(f"/v1/accounts/{quote(account_ref, safe='')}/balance"))

    def month_costs(self, account_ref: str, year: int, month: int, *, as_of: datetime) -> CostReport | None:
        return parse_costs(self._get(f"/v1/accounts/{quote(account_ref, safe='')}/costs/{year:04d}-{month:02d}"))

    def _get(self, path: str) -> object:
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = self._session.get(self.base_url + path, timeout=self.timeout, allow_redirects=False)
            except requests.Timeout:
                reason = "timed out"
                if last:
                    raise ProviderError(f"GET {path}: provider {reason}") from None
                self._sleep(self._delay(attempt, None))
                continue
            except requests.ConnectionError:
                if last:
                    raise ProviderError(f"GET {path}: cannot connect to the provider") from None
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRYABLE_STATUS and not last:
                self._sleep(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            return self._decode(path, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Full-jitter exponential backoff, capped; a (capped) Retry-After wins when it asks for longer."""
        delay = random.uniform(0, min(self.backoff_cap, self.backoff * 2**attempt))
        if retry_after is not None:
            with contextlib.suppress(ValueError):  # an HTTP-date or junk: keep the computed delay
                delay = max(delay, min(self.backoff_cap, float(retry_after)))
        return delay

    @staticmethod
    def _decode(path: str, response: requests.Response) -> object:
        status = response.status_code
        if status in (401, 403):
            raise ProviderError(f"GET {path}: provider refused the credentials (HTTP {status})")
        if status == 404:
            raise ProviderError(f"GET {path}: provider does not know this account (HTTP 404)")
        if status != 200:
            raise ProviderError(f"GET {path}: provider answered HTTP {status}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ProviderError(f"GET {path}: expected application/json, got {content_type or 'no content type'!r}")
        return _parse(response.text)
