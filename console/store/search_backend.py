"""Dialect-specific SQL for records: bulk-write set-up, the text index, batch locks (the rows
themselves are written by console.store.bulk_records).

SQLite keeps an FTS5 index (external content on records.search_text); PostgreSQL keeps a GIN index
on the same column's tokens as a tsvector (no text-search parser: the tokens are the lexemes) and
matches prefix tsqueries. Both see text folded here in Python the same way, so the same query
finds the same records on both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Integer, column, select, text
from sqlalchemy.orm import Session

from console.store.records_models import Record

FTS_TABLE = "records_fts"
TSV_INDEX = "ix_records_search_tsv"
# PostgreSQL only (migration 0002_records): records.search_tsv, generated from search_text, its
# tokens as lexemes (each cut to LEXEME_CHARS, as a lexeme holds at most 2047 bytes).
TSV_COLUMN = "search_tsv"
LEXEME_CHARS = 500
# Letters and digits of any script: the same token characters as FTS5's unicode61 tokenizer.
_TOKEN_RE = re.compile(r"[^\W_]+")
# Latin letters that carry their "accent" inside the code point (NFKD leaves them whole).
_LATIN_EXTRA = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ŀ": "l",
        "ß": "ss",
    }
)
MAX_QUERY_TOKENS = 16


def include_in_schema_compare(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: the text index objects are not part of the models' schema."""
    del parent_names
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "column":
        return name != TSV_COLUMN
    return not (type_ == "index" and name == TSV_INDEX)


@cache
def _strip_table() -> dict[int, str | None]:
    # Built on first use (a scan of all code points, ~0.5 s) rather than at import.
    import sys

    table: dict[int, str | None] = {
        c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))
    }
    table.update(_LATIN_EXTRA)
    return table


def fold(value: str) -> str:
    """Case and diacritics folded: "Jürgen Łukasz" → "jurgen lukasz"."""
    if value.isascii():
        return value.lower()
    return unicodedata.normalize("NFKD", value.casefold()).translate(_strip_table())


def tokens(value: str) -> list[str]:
    return _TOKEN_RE.findall(fold(value))


@lru_cache(maxsize=65536)
def _fold_cached(value: str) -> str:
    return fold(value)


def search_text(values: Iterable[str | None]) -> str:
    """The indexed text of a record: every value's tokens, space-separated and space-padded."""
    # Folding value by value is the same as folding the joined text (casefold, NFKD and the strip
    # table work character by character, and a space starts a new combining sequence); names
    # and other non-ASCII values repeat across rows, so their folding is remembered.
    parts = [v.lower() if v.isascii() else _fold_cached(v) for v in values if v]
    return " " + " ".join(_TOKEN_RE.findall(" ".join(parts))) + " " if parts else ""


def query_tokens(query: str) -> list[str]:
    """The tokens of a search box entry; every FTS operator character is simply a separator."""
    found: list[str] = []
    for token in tokens(query):
        if token not in found:
            found.append(token)
    return found[:MAX_QUERY_TOKENS]


def sqlite_datetime(moment: datetime | None) -> str | None:
    """A datetime as SQLAlchemy's SQLite DateTime stores it (UTC, naive text)."""
    if moment is None:
        return None
    # isoformat is several times faster than strftime and pads the year as SQLAlchemy does.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


KEY_INDEX = "ix_record_identifiers_key"


class Backend:
    """Dialect-specific operations, bound to one session's connection."""

    dialect = ""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.connection()

    # -- bulk import ---------------------------------------------------------------------------
    def prepare_bulk(self) -> None:
        """Tune the connection for one big write (undone when the connection is reset).

        Into an empty table the identifier index is dropped here and built by finish_bulk.
        """

    def finish_bulk(self) -> None:
        """After the last chunk of a bulk write: rebuild what prepare_bulk dropped, refresh stats."""

    def first_free_id(self) -> int | None:
        """The first record id a bulk write may give its rows itself, in file order; None: the
        writer takes ids from allocate_ids instead."""
        return None

    def allocate_ids(self, count: int) -> list[int]:
        raise NotImplementedError

    def index_range(self, first_id: int, last_id: int) -> None:
        """Add records first_id..last_id (just inserted) to the text index."""

    def unindex_batch(self, batch_id: int) -> None:
        """Remove a batch's records from the text index (before they are deleted)."""

    def unindex(self, record_ids: Sequence[int]) -> None:
        """Remove records from the text index (before their search text changes)."""

    def reindex(self, record_ids: Sequence[int]) -> None:
        """Add records back to the text index (after their search text changed)."""

    @staticmethod
    def after_bulk(engine: Engine) -> None:
        """After a bulk write committed: maintenance that cannot run inside its transaction."""
        if engine.dialect.name != "postgresql":
            return
        # Sets the visibility map of the new identifier rows, so counting the records that share
        # an identifier is an index-only scan (not thousands of random heap reads) right away,
        # rather than whenever autovacuum gets to it.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) record_identifiers")

    # -- text search ---------------------------------------------------------------------------
    def text_match(self, words: Sequence[str], *, where: Sequence[Any], limit: int) -> list[int]:
        """Ids of records whose text has a token starting with each word, newest first."""
        stmt = select(Record.id).where(*[Record.search_text.like(f"% {w}%") for w in words], *where)
        return list(self.session.execute(stmt.order_by(Record.id.desc()).limit(limit)).scalars())

    # -- import batches ------------------------------------------------------------------------
    def lock_batch(self, batch_id: int) -> None:
        """Hold a lock on the batch row while its import runs (PostgreSQL: others can tell)."""

    def lock_source(self, source_id: int) -> None:
        """Make other imports into this source wait until this transaction ends.

        Two imports of overlapping rows into one source would otherwise both insert a row the
        other is inserting too (PostgreSQL: a unique violation for the second). SQLite needs
        nothing: its write transactions already run one at a time.
        """

    def unlocked_running(self, batch_ids: Sequence[int]) -> set[int] | None:
        """Of these "running" batches, those no live import holds; None if the dialect can't tell."""
        return None


class SqliteBackend(Backend):
    dialect = "sqlite"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._rebuild_key_index = False

    def prepare_bulk(self) -> None:
        # Rows and identifiers go in in key order; a 64 MB page cache holds what is inserted in
        # random order (the dedupe key index, the text index's segments) and bounds the sort
        # that builds the identifier index (a bigger cache only raised peak memory).
        self.conn.exec_driver_sql("PRAGMA cache_size=-65536")
        self._rebuild_key_index = (
            self.conn.exec_driver_sql("SELECT 1 FROM record_identifiers LIMIT 1").first() is None
        )
        if self._rebuild_key_index:
            # An empty table: building the index once, sorted, beats growing it in random order.
            self.conn.exec_driver_sql(f"DROP INDEX IF EXISTS {KEY_INDEX}")

    def finish_bulk(self) -> None:
        if self._rebuild_key_index:
            # The sort behind CREATE INDEX makes its sorted runs as big as the page cache: runs
            # of 4 MB fit the CPU's caches and two threads merge them, 2-3x faster than 64 MB
            # runs on one thread (6M keys: 7.0 -> 2.4-3.5 s) and with less memory.
            self.conn.exec_driver_sql("PRAGMA cache_size=-4096")
            self.conn.exec_driver_sql("PRAGMA threads=2")
            try:
                self.conn.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS {KEY_INDEX} ON record_identifiers (key)"
                )
            finally:
                self.conn.exec_driver_sql("PRAGMA threads=0")
            self._rebuild_key_index = False
        # The connection goes back to the pool: SQLite's default page cache (2 MB) again.
        self.conn.exec_driver_sql("PRAGMA cache_size=-2000")

    def first_free_id(self) -> int:
        # Write transactions begin IMMEDIATE, so nobody else inserts records until we commit.
        top = self.conn.exec_driver_sql("SELECT max(id) FROM records").scalar()
        return int(top or 0) + 1

    def index_range(self, first_id: int, last_id: int) -> None:
        self.conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE} (rowid, search_text) "  # noqa: S608
            "SELECT id, search_text FROM records WHERE id BETWEEN ? AND ? AND search_text != ''",
            (first_id, last_id),
        )

    def unindex_batch(self, batch_id: int) -> None:
        self.conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_text) "  # noqa: S608
            "SELECT 'delete', id, search_text FROM records "
            "WHERE batch_id = ? AND search_text != ''",
            (batch_id,),
        )

    def unindex(self, record_ids: Sequence[int]) -> None:
        for chunk in _chunks(record_ids):
            marks = ",".join("?" * len(chunk))
            self.conn.exec_driver_sql(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_text) "  # noqa: S608
                f"SELECT 'delete', id, search_text FROM records "
                f"WHERE id IN ({marks}) AND search_text != ''",
                tuple(chunk),
            )

    def reindex(self, record_ids: Sequence[int]) -> None:
        for chunk in _chunks(record_ids):
            marks = ",".join("?" * len(chunk))
            self.conn.exec_driver_sql(
                f"INSERT INTO {FTS_TABLE} (rowid, search_text) "  # noqa: S608
                f"SELECT id, search_text FROM records WHERE id IN ({marks}) AND search_text != ''",
                tuple(chunk),
            )

    def text_match(self, words: Sequence[str], *, where: Sequence[Any], limit: int) -> list[int]:
        # Each word quoted (so NEAR, AND, -, ^, : are just text) and prefix-matched.
        match = " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)
        if not where:
            rows = self.conn.exec_driver_sql(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "  # noqa: S608
                "ORDER BY rowid DESC LIMIT ?",
                (match, limit),
            ).scalars()
            return [int(r) for r in rows]
        fts = (
            text(f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match")  # noqa: S608
            .columns(column("id", Integer))
            .subquery("fts")
        )
        stmt = (
            select(fts.c.id)
            .join(Record, Record.id == fts.c.id)
            .where(*where)
            .order_by(fts.c.id.desc())
            .limit(limit)
        )
        return [int(r) for r in self.session.execute(stmt, {"match": match}).scalars()]


class PostgresBackend(Backend):
    dialect = "postgresql"

    def allocate_ids(self, count: int) -> list[int]:
        rows = self.conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('records', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).scalars()
        return [int(r) for r in rows]

    def finish_bulk(self) -> None:
        # Fresh statistics, so the planner knows the new rows (and the text index) at once.
        self.conn.exec_driver_sql("ANALYZE records")
        self.conn.exec_driver_sql("ANALYZE record_identifiers")

    def text_match(self, words: Sequence[str], *, where: Sequence[Any], limit: int) -> list[int]:
        # Prefix tsquery over the GIN index of the tokens: 'word':* matches a lexeme starting with
        # word, exactly what FTS5's "word"* matches. Words are letters and digits only, so they
        # need no quoting; a word longer than an indexed lexeme also checks the text itself.
        query = " & ".join(f"'{w[:LEXEME_CHARS]}':*" for w in words)
        conditions: list[Any] = [
            text(f"records.{TSV_COLUMN} @@ CAST(:tsq AS tsquery)").bindparams(tsq=query)
        ]
        conditions += [Record.search_text.like(f"% {w}%") for w in words if len(w) > LEXEME_CHARS]
        stmt = select(Record.id).where(*conditions, *where)
        return list(self.session.execute(stmt.order_by(Record.id.desc()).limit(limit)).scalars())

    def lock_batch(self, batch_id: int) -> None:
        self.conn.execute(
            text("SELECT id FROM import_batches WHERE id = :id FOR UPDATE"), {"id": batch_id}
        )

    def lock_source(self, source_id: int) -> None:
        # FOR NO KEY UPDATE: other imports into the source wait; reads and the records' foreign
        # keys to the source (FOR KEY SHARE) do not.
        self.conn.execute(
            text("SELECT id FROM sources WHERE id = :id FOR NO KEY UPDATE"), {"id": source_id}
        )

    def unlocked_running(self, batch_ids: Sequence[int]) -> set[int] | None:
        if not batch_ids:
            return set()
        rows = self.session.execute(
            text("SELECT id FROM import_batches WHERE id = ANY(:ids) FOR UPDATE SKIP LOCKED"),
            {"ids": list(batch_ids)},
        ).scalars()
        return {int(r) for r in rows}


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def backend(session: Session) -> Backend:
    name = session.get_bind().dialect.name
    return SqliteBackend(session) if name == "sqlite" else PostgresBackend(session)
