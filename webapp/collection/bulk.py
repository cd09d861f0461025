"""Appending many ledger rows at once: PostgreSQL COPY, executemany in large chunks elsewhere.

Rows arrive validated (collection.validation); COPY goes through the session's own connection, so
the rows are part of the caller's transaction like any other write.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from sqlalchemy import Table, insert

from webapp.extensions import db
from webapp.models import BalanceSnapshot, CostSnapshot

INSERT_CHUNK = 5000
COPY_FROM = 50  # fewer rows than this: a plain INSERT is as quick
_JSON_COLUMNS = {"fees", "usage_lines"}


def append_rows(model: type[BalanceSnapshot] | type[CostSnapshot], rows: list[dict[str, Any]]) -> None:
    """Insert these rows (all with the same keys) into the model's table."""
    if not rows:
        return
    if len(rows) >= COPY_FROM and db.session.get_bind().dialect.name == "postgresql":
        _copy(cast(Table, model.__table__), rows)
        return
    for start in range(0, len(rows), INSERT_CHUNK):
        db.session.execute(insert(model), rows[start : start + INSERT_CHUNK])


def _copy(table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY the rows; amounts and moments go as they are (validated Decimals, UTC-aware datetimes),
    the JSON documents as JSON text (orjson: a replay encodes hundreds of thousands of them)."""
    columns = list(rows[0])
    as_json = [index for index, name in enumerate(columns) if name in _JSON_COLUMNS]
    encoded: dict[int, str] = {}  # rows repeating an answer share its documents: encode each once
    driver = db.session.connection().connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            values = [row[name] for name in columns]
            for index in as_json:
                document = values[index]
                text = encoded.get(id(document))
                if text is None:
                    text = encoded[id(document)] = orjson.dumps(document).decode()  # JSONB parses it
                values[index] = text
            copy.write_row(values)
