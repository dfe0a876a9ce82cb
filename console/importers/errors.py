"""Known errors and per-row problems of an import; messages name file, row and column only."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.errors import ValidationError


def location(file: str, row: int | None = None, column: str | None = None) -> str:
    """``customers.csv, row 12, column "Email"`` — the prefix every import message starts with."""
    parts = [file]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f'column "{column}"')
    return ", ".join(parts)


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported (wrong type, too big, unreadable, bad mapping)."""

    def __init__(
        self, file: str, reason: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        super().__init__(f"{location(file, row, column)}: {reason}")
        self.file = file
        self.row = row
        self.column = column
        self.reason = reason


class MappingError(ValidationError):
    """A column mapping file or object that does not follow the mapping format."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One rejected row: the import goes on, and the caller counts and lists these."""

    row: int
    column: str | None
    reason: str
    # The row as it was read, one string per field (empty if it could not be split into fields),
    # so the list of rejected rows can be fixed and imported again. Never logged.
    fields: tuple[str, ...] = ()

    def message(self, file: str) -> str:
        return f"{location(file, self.row, self.column)}: {self.reason}"


@dataclass
class FileCounts:
    """What parsing a file counted (the writer adds the rows it finds already present).

    Plain data, free of the columnar library, so the import's writer process can take it from
    the parse worker without loading that library.
    """

    read: int = 0
    imported: int = 0
    duplicate: int = 0
    suppressed: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # (column, kind or "collected_at", how many values, first row), in the row parser's order.
    unusable: list[tuple[str, str, int, int]] = field(default_factory=list)


MAX_KEPT_CHARS = 2_000


def kept_fields(values: list[str] | list[str | None] | tuple[str, ...]) -> tuple[str, ...]:
    """A rejected row's fields as kept for its list: text, each cut to MAX_KEPT_CHARS."""
    return tuple(
        ("" if v is None else v if len(v) <= MAX_KEPT_CHARS else v[:MAX_KEPT_CHARS] + "…")
        for v in values
    )
