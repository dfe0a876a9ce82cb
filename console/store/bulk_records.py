"""Writing an import's RecordRows: SQLite from the column lists, PostgreSQL by binary COPY.

Both run inside the import's one transaction (so a failed, cancelled or killed import leaves
nothing behind); the SQL that is specific to a dialect for records stays in search_backend and
here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any

from console.store.record_rows import RecordRows, moment
from console.store.search_backend import Backend

_RECORD_COLUMNS = (
    "id",
    "source_id",
    "batch_id",
    "row_number",
    "collected_at",
    "dedupe_key",
    "values_json",
    "categories_json",
    "search_text",
    "erased_ref",
)
_IDENTIFIER_COLUMNS = ("record_id", "column", "kind", "value", "key")

# SQLAlchemy's DateTime on SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff" (UTC, naive): the same text
# from microseconds since 1970 in SQLite's own C code, floor division for times before 1970.
_SQLITE_TIME = (
    "CASE WHEN ?5 IS NULL THEN NULL ELSE "
    "strftime('%Y-%m-%d %H:%M:%S', ?5 / 1000000 - (?5 % 1000000 < 0), 'unixepoch') "
    "|| printf('.%06d', (?5 % 1000000 + 1000000) % 1000000) END"
)
_SQLITE_RECORDS = (
    f"INSERT INTO records ({', '.join(_RECORD_COLUMNS)}) "  # noqa: S608
    f"VALUES (?1, ?2, ?3, ?4, {_SQLITE_TIME}, ?6, ?7, ?8, ?9, '')"
)
_SQLITE_IDENTIFIERS = (
    'INSERT OR IGNORE INTO record_identifiers (record_id, "column", kind, value, key) '
    "VALUES (?, ?, ?, ?, ?)"
)
# Binary COPY sends each value in the column's own binary form: the types must be the table's.
_PG_RECORD_TYPES = (
    "int8",
    "int4",
    "int4",
    "int4",
    "timestamptz",
    "int8",
    "text",
    "text",
    "text",
    "text",
)
_PG_IDENTIFIER_TYPES = ("int8", "text", "text", "text", "int8")


def write(
    backend: Backend, rows: RecordRows, source_id: int, batch_id: int, *, ids_given: bool
) -> RecordRows:
    """Insert the records, their identifier rows and their text index entries.

    ids_given: the rows carry their final ids (Backend.first_free_id); otherwise the database's
    sequence gives them. Returns the rows as written (with their ids).
    """
    if not len(rows):
        return rows
    if not ids_given:
        rows = rows.renumbered(backend.allocate_ids(len(rows)))
    if backend.dialect == "sqlite":
        _sqlite(backend, rows, source_id, batch_id)
    else:
        _postgres(backend, rows, source_id, batch_id)
    return rows


def _sqlite(backend: Backend, rows: RecordRows, source_id: int, batch_id: int) -> None:
    # The driver's own cursor: executemany takes the columns zipped, without a list of rows.
    raw: Any = backend.conn.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        cursor.executemany(
            _SQLITE_RECORDS,
            zip(
                rows.ids,
                repeat(source_id),
                repeat(batch_id),
                rows.row_number,
                rows.collected_at,
                rows.dedupe_key,
                rows.values_json,
                rows.categories_json,
                rows.search_text,
            ),
        )
        cursor.executemany(
            _SQLITE_IDENTIFIERS,
            zip(
                rows.identifier_record,
                rows.identifier_column,
                rows.identifier_kind,
                rows.identifier_value,
                rows.identifier_key,
                strict=True,
            ),
        )
    finally:
        cursor.close()
    backend.index_range(min(rows.ids), max(rows.ids))


def _postgres(backend: Backend, rows: RecordRows, source_id: int, batch_id: int) -> None:
    times = [None if t is None else moment(t) for t in rows.collected_at]
    _copy(
        backend,
        "records",
        _RECORD_COLUMNS,
        _PG_RECORD_TYPES,
        zip(
            rows.ids,
            repeat(source_id),
            repeat(batch_id),
            rows.row_number,
            times,
            rows.dedupe_key,
            rows.values_json,
            rows.categories_json,
            rows.search_text,
            repeat(""),
        ),
    )
    found: Iterable[tuple[Any, ...]] = zip(
        rows.identifier_record,
        rows.identifier_column,
        rows.identifier_kind,
        rows.identifier_value,
        rows.identifier_key,
        strict=True,
    )
    pairs = set(zip(rows.identifier_record, rows.identifier_column, strict=True))
    if len(pairs) < len(rows.identifier_record):
        # One identifier per (record, column), the primary key: a repeated row is dropped (SQLite's
        # INSERT OR IGNORE does the same).
        found = {(r[0], r[1]): r for r in found}.values()
    _copy(backend, "record_identifiers", _IDENTIFIER_COLUMNS, _PG_IDENTIFIER_TYPES, found)


def _copy(
    backend: Backend,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    import psycopg

    raw = backend.conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    names = ", ".join(f'"{c}"' for c in columns)
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(list(types))
        write_row = copy.write_row
        for row in rows:
            write_row(row)
