"""Inserting many rows at once for imports. SQLAlchemy's executemany spends more time preparing each
row's parameters than the database spends storing it; this compiles the statement once with
SQLAlchemy, converts values with each column type's own bind processor, and hands the rows to the
driver. The caller records the insert in the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]], chunk: int = 5000) -> int:
    """Insert `rows` (dicts with the same keys; missing columns take their defaults) into `table`."""
    if not rows:
        return 0
    conn = session.connection()
    dialect = conn.dialect
    keys = [  # a column that is empty in every row is left to its NULL: fewer values to bind
        k
        for k in rows[0]
        if table.c[k].default is not None
        or table.c[k].server_default is not None
        or any(row.get(k) is not None for row in rows)
    ]
    for col in table.columns:  # Python-side scalar defaults the driver would not know
        if col.key not in keys and col.default is not None and col.default.is_scalar:
            keys.append(col.key)
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    processors = {k: table.c[k].type.bind_processor(dialect) for k in keys}
    defaults = {
        c.key: c.default.arg
        for c in table.columns
        if c.key in keys and c.default is not None and c.default.is_scalar
    }
    positional = compiled.positiontup is not None
    order = list(compiled.positiontup) if positional else keys
    # each row as a tuple in the statement's order; a key a row lacks takes its default
    take = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
    converting = [(i, processors[k]) for i, k in enumerate(order) if processors[k] is not None]
    sql = str(compiled)
    for start in range(0, len(rows), chunk):
        batch: list[Any] = []
        for row in rows[start : start + chunk]:
            try:
                values = take(row)
            except KeyError:
                values = tuple(row[k] if k in row else defaults.get(k) for k in order)
            if converting:
                values = list(values)
                for i, p in converting:
                    v = values[i]
                    if v is not None:
                        values[i] = p(v)
            batch.append(tuple(values) if positional else dict(zip(order, values, strict=True)))
        conn.exec_driver_sql(sql, batch)
    return len(rows)
