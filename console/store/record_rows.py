"""New records of an import, column by column: the one row type the import hands the store.

The parser fills the columns (in a worker process for a big file); console.store.bulk_records
writes them: SQLite by ``executemany`` straight from the columns, PostgreSQL by binary COPY.
Nothing here depends on the dialect: collection times are integers (microseconds since
1970-01-01 UTC), and the writer turns them into what its database stores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def dedupe_key(text: str) -> int:
    """A record's 64-bit (signed) key: BLAKE2b of its record-key JSON, or of its values JSON."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def repeat_text(values_json: str, occurrence: int) -> str:
    """What the ``occurrence``-th (2, 3, ...) copy of a row without a record key is keyed by.

    Two identical rows of one file are two records (a double-fired event is two events). The
    first copy keeps the key of its values, so a later export that holds it again still finds it
    present; the n-th copy gets a key of its own that is the same in every file holding n copies,
    so importing an overlapping export adds only the copies it did not hold before. A values JSON
    never holds a raw line break, so this text is never a row's own values JSON.
    """
    return f"{values_json}\n{occurrence}"


def micros(moment: datetime | None) -> int | None:
    """A time as RecordRows.collected_at holds it: microseconds since 1970-01-01 UTC."""
    if moment is None:
        return None
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def moment(value: int | None) -> datetime | None:
    """The inverse of micros: an aware UTC datetime."""
    return None if value is None else _EPOCH + timedelta(microseconds=value)


@dataclass(slots=True)
class RecordRows:
    """Records to insert (file order) and their identifiers, as one list per column.

    ``ids`` are the records' ids when the producer could give them (SQLite: one writer, ids from
    max(id) + 1 for the whole import), else 0, 1, 2, ... for the writer to replace; identifier
    rows name their record by the same number. source and batch are the writer's to add.
    """

    ids: list[int]
    row_number: list[int]
    collected_at: list[int | None]  # microseconds since 1970-01-01 UTC, see micros()
    dedupe_key: list[int]
    values_json: list[str]
    categories_json: list[str]
    search_text: list[str]
    identifier_record: list[int]
    identifier_column: list[str]
    identifier_kind: list[str]
    identifier_value: list[str]
    identifier_key: list[int]

    def __len__(self) -> int:
        return len(self.ids)

    def without(self, keys: Collection[int]) -> RecordRows:
        """The same rows less those whose dedupe key is in ``keys`` (already in the source)."""
        keep = [i for i, key in enumerate(self.dedupe_key) if key not in keys]
        kept_ids = {self.ids[i] for i in keep}
        found = [i for i, rid in enumerate(self.identifier_record) if rid in kept_ids]
        return RecordRows(
            [self.ids[i] for i in keep],
            [self.row_number[i] for i in keep],
            [self.collected_at[i] for i in keep],
            [self.dedupe_key[i] for i in keep],
            [self.values_json[i] for i in keep],
            [self.categories_json[i] for i in keep],
            [self.search_text[i] for i in keep],
            [self.identifier_record[i] for i in found],
            [self.identifier_column[i] for i in found],
            [self.identifier_kind[i] for i in found],
            [self.identifier_value[i] for i in found],
            [self.identifier_key[i] for i in found],
        )

    def renumbered(self, new_ids: list[int]) -> RecordRows:
        """The same rows with ids ``new_ids`` (one per record, in order)."""
        place = dict(zip(self.ids, new_ids, strict=True))
        return replace(
            self,
            ids=list(new_ids),
            identifier_record=[place[r] for r in self.identifier_record],
        )
