"""Column types for exact money and UTC-aware timestamps on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

SCALE = 8
PRECISION = 18
# |amount| < 10**10 keeps the SQLite form (amount * 10**8) inside a signed 64-bit integer.
MAX_ABS = Decimal(10) ** (PRECISION - SCALE)
QUANTUM = Decimal(1).scaleb(-SCALE)


def check_amount(value: Decimal) -> Decimal:
    """Return value if it is a finite Decimal that the Money column stores exactly."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"money must be finite, got {value}")
    # adjusted() is the exponent of the leading digit: safe on absurd exponents where abs() overflows.
    if value and value.adjusted() >= PRECISION - SCALE:
        raise ValueError(f"money out of range (|x| < 10^{PRECISION - SCALE}): {value}")
    if value.as_tuple().exponent < -SCALE and value != value.quantize(QUANTUM):
        raise ValueError(f"money has more than {SCALE} fractional digits: {value}")
    return value


class Money(TypeDecorator):
    """Decimal with 8 fractional digits: NUMERIC(18, 8) on PostgreSQL, a scaled
    64-bit integer on SQLite (which would otherwise store a float)."""

    impl = Numeric(PRECISION, SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(PRECISION, SCALE, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = check_amount(value).quantize(QUANTUM)
        if dialect.name == "sqlite":
            return int(value.scaleb(SCALE))
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-SCALE)
        return Decimal(value).quantize(QUANTUM)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes in, timezone-aware UTC datetimes out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
