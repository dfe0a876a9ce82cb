"""The neutral report document: what a report says, before any renderer decides how it looks.

Report builders produce these frozen dataclasses; the PDF and XLSX renderers only read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

ColumnKind = Literal["text", "int", "float", "date", "datetime"]
# Who reads the document: staff and auditors get the provenance furniture (who made it, the
# audit chain head); a document addressed to a person outside (a letter, an access package)
# carries only what that person needs, with its parameters as the letter's heading.
Audience = Literal["staff", "recipient"]
COLUMN_KINDS: tuple[ColumnKind, ...] = ("text", "int", "float", "date", "datetime")


@dataclass(frozen=True)
class ReportMeta:
    """Who made the report, when, from what, and under which audit chain head."""

    organisation: str
    report_name: str  # machine name, e.g. "audit-trail"
    title: str
    parameters: Mapping[str, str]
    generated_by: str
    generated_at: datetime  # timezone-aware; shown in UTC and in local_tz
    app_version: str
    classification: str
    chain_head: tuple[int, str] | None = None  # (sequence, hash) of the last audit event
    local_tz: str | None = None  # IANA name; None means the machine's zone
    audience: Audience = "staff"

    def __post_init__(self) -> None:
        # A naive time would be silently read as local time by one renderer and UTC by another.
        offset = self.generated_at.utcoffset()
        if offset is None:
            raise ValueError("ReportMeta.generated_at must be timezone-aware")

    @property
    def chain_head_text(self) -> str:
        if self.chain_head is None:
            return "none"
        seq, digest = self.chain_head
        return f"{seq}:{digest}"


@dataclass(frozen=True)
class Column:
    """A table column. width is an approximate width in characters (PDF share, XLSX width)."""

    name: str
    kind: ColumnKind = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def header(self) -> str:
        # Datetimes are written in UTC everywhere; the header says so where the reader looks.
        return f"{self.name} (UTC)" if self.kind == "datetime" else self.name


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class KeyValues:
    pairs: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """Rows may be a one-shot generator of millions of rows: renderers stream it exactly once."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]
    note: str | None = None


@dataclass(frozen=True)
class BarChart:
    title: str
    categories: Sequence[str]
    series: Mapping[str, Sequence[float]]

    def __post_init__(self) -> None:
        for name, values in self.series.items():
            if len(values) != len(self.categories):
                raise ValueError(
                    f"series {name!r} has {len(values)} values for "
                    f"{len(self.categories)} categories"
                )


@dataclass(frozen=True)
class Note:
    text: str


Block = Paragraph | KeyValues | Table | BarChart | Note


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: Sequence[Block] = field(default_factory=tuple)


@dataclass(frozen=True)
class Document:
    meta: ReportMeta
    sections: Sequence[Section] = field(default_factory=tuple)

    def tables(self) -> list[Table]:
        return [
            block
            for section in self.sections
            for block in section.blocks
            if isinstance(block, Table)
        ]

    def table_keys(self) -> list[str]:
        """Table names made unique ("Name (2)"), the keys of row counts in results and manifests."""
        seen: set[str] = set()
        keys = []
        for table in self.tables():
            key, n = table.name, 1
            while key in seen:
                n += 1
                key = f"{table.name} ({n})"
            seen.add(key)
            keys.append(key)
        return keys


def utc_naive(value: datetime) -> datetime:
    """A datetime as naive UTC; naive input is taken to be UTC already."""
    if value.utcoffset() is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
