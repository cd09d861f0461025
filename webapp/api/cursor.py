"""Opaque keyset cursors for the balance history: signed, bound to the organisation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from webapp.api.problems import invalid_parameter

_SIGNATURE_BYTES = 16
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _signature(key: str, organization_id: int, payload: bytes) -> bytes:
    message = str(organization_id).encode() + b"|" + payload
    return hmac.new(key.encode(), message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(key: str, organization_id: int, collected_at: datetime, row_id: int) -> str:
    payload = json.dumps([(collected_at - _EPOCH) // _MICROSECOND, row_id], separators=(",", ":")).encode()
    raw = _signature(key, organization_id, payload) + payload
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(key: str, organization_id: int, cursor: str) -> tuple[datetime, int]:
    """(collected_at, id) of the last row already seen; a 422 for anything this app did not issue."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise invalid_parameter("cursor", "is not a cursor this API issued.") from None
    signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _signature(key, organization_id, payload)):
        raise invalid_parameter("cursor", "is not a cursor this API issued.")
    micros, row_id = json.loads(payload)
    return _EPOCH + micros * _MICROSECOND, row_id
