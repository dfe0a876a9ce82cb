"""Qt item models of the Records and Sources pages: sources, batches, preview, mapping, records.

The records model is lazy: it holds the matching record ids only and asks the runner for the
rows of the page on screen, so a search with millions of hits costs a list of integers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from console.domain import identifiers as ids
from console.domain.labels import label
from console.importers.mapping import ColumnSpec, Mapping
from console.ui.plain import tip
from console.ui.text import moment as text_moment

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_TIP = Qt.ItemDataRole.ToolTipRole
PAGE_ROWS = 200
CACHED_PAGES = 12
NOT_MAPPED = "not mapped"


def when(moment: datetime | None) -> str:
    """A timestamp as the tables show it (local time, to the minute)."""
    return text_moment(moment)


class _Columns(QAbstractTableModel):
    """A table model whose columns are the COLUMNS headers."""

    COLUMNS: tuple[str, ...] = ()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None


class _Table(_Columns):
    """A read-only table over a list of row objects, one function per column."""

    NUMERIC: frozenset[int] = frozenset()  # right-aligned counts

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def cell(self, row: Any, column: int) -> Any:
        raise NotImplementedError

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        value = self._data(index, role)
        # A tooltip guesses rich text: data in one is escaped (console.ui.plain).
        return tip(value) if role == _TIP and isinstance(value, str) else value

    def _data(self, index: _Index, role: int) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.TextAlignmentRole:
            if index.column() in self.NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if not index.isValid() or role not in (_DISPLAY, _TIP):
            return None
        value = self.cell(self.rows[index.row()], index.column())
        return value if role == _DISPLAY or value else None


class SourcesModel(_Table):
    COLUMNS = (
        "Source",
        "Kind",
        "Owner",
        "System",
        "Records",
        "Last import",
        "Categories",
        "Retention",
    )
    NUMERIC = frozenset({4})

    def __init__(self) -> None:
        super().__init__()
        self.kind_labels: dict[str, str] = {}
        self.category_labels: dict[str, str] = {}

    def cell(self, row: Any, column: int) -> Any:
        if column == 0:
            return row.name
        if column == 1:
            return self.kind_labels.get(row.kind, row.kind)
        if column == 2:
            return row.owner
        if column == 3:
            return row.system
        if column == 4:
            return f"{row.record_count:,}"
        if column == 5:
            return when(row.last_import_at) or "never"
        if column == 6:
            return ", ".join(self.category_labels.get(c, c) for c in row.categories)
        return row.retention


class BatchesModel(_Table):
    COLUMNS = (
        "Batch",
        "File",
        "Status",
        "Imported",
        "Rejected",
        "Suppressed",
        "By",
        "When",
        "Result",
    )
    NUMERIC = frozenset({0, 3, 4, 5})
    RESULT = 8

    def cell(self, row: Any, column: int) -> Any:
        values = (
            row.id,
            row.file_name,
            label("import_status", row.status),
            f"{row.rows_imported:,}",
            f"{row.rows_rejected:,}",
            f"{row.rows_suppressed:,}",
            row.by,
            when(row.finished_at or row.started_at),
            " ".join(row.message.split()),  # the summary, the reason it failed, or the undo
        )
        return values[column]

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return super().data(index, role)
        batch = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.RESULT:
            return tip(batch.message) if batch.message else None
        if role == Qt.ItemDataRole.ForegroundRole:
            from PySide6.QtGui import QColor

            if batch.status in ("failed", "cancelled", "interrupted") and index.column() in (
                2,
                self.RESULT,
            ):
                return QColor("#b00020")
            if batch.status == "undone":  # its records are gone: the counts are history
                return QColor("#6b6b6b")
            return None
        return super().data(index, role)


class PreviewModel(_Table):
    """The first rows of a file, as read."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.numbers: list[int] = []

    def set_preview(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str | None]],
        numbers: Sequence[int] = (),
    ) -> None:
        """numbers: each row's data-row number in the file (the rejected rows' list uses them)."""
        self.beginResetModel()
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.numbers = list(numbers)
        self.endResetModel()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return self.numbers[section] if section < len(self.numbers) else section + 1

    def cell(self, row: Any, column: int) -> Any:
        value = row[column] if column < len(row) else None
        return "" if value is None else str(value)


RECORD_KEY = "record_key"  # the Role column's value for a column of the mapping's record key


class MappingModel(_Columns):
    """One row per file column: its identifier kind, data category and role, all editable."""

    COLUMNS = ("Column", "Sample", "Identifier", "Category", "Role")
    IDENTIFIER, CATEGORY, ROLE = 2, 3, 4
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.samples: list[str] = []
        self.specs: list[ColumnSpec] = []
        self.record_key: list[str] = []
        self.category_labels: dict[str, str] = {}

    def set_mapping(
        self, headers: Sequence[str], mapping: Mapping, samples: Sequence[Sequence[str | None]] = ()
    ) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.specs = [mapping.columns.get(h, ColumnSpec()) for h in self.headers]
        self.record_key = list(mapping.record_key)
        self.samples = []
        for i in range(len(self.headers)):
            seen = dict.fromkeys(
                str(r[i]) for r in samples if i < len(r) and r[i] not in (None, "")
            )
            self.samples.append(", ".join(list(seen)[:3]))
        self.endResetModel()

    def mapping(self) -> Mapping:
        columns = {h: s for h, s in zip(self.headers, self.specs, strict=True) if s != ColumnSpec()}
        return Mapping(columns, [k for k in self.record_key if k in self.headers])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() >= self.IDENTIFIER:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def _value(self, row: int, column: int) -> str:
        spec = self.specs[row]
        if column == self.IDENTIFIER:
            return spec.identifier or ""
        if column == self.CATEGORY:
            return spec.category or ""
        if self.headers[row] in self.record_key:
            return RECORD_KEY
        return spec.role or ""

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        value = self._data(index, role)
        # A tooltip guesses rich text: data in one is escaped (console.ui.plain).
        return tip(value) if role == _TIP and isinstance(value, str) else value

    def _data(self, index: _Index, role: int) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == _EDIT and column >= self.IDENTIFIER:
            return self._value(row, column)
        if role not in (_DISPLAY, _TIP):
            return None
        if column == 0:
            return self.headers[row]
        if column == 1:
            return self.samples[row] if self.samples else ""
        value = self._value(row, column)
        if not value:
            return NOT_MAPPED if role == _DISPLAY else None
        if column == self.IDENTIFIER:
            strength = "strong" if ids.is_strong(value) else "weak"
            return f"{value} ({strength})"
        if column == self.CATEGORY:
            label = self.category_labels.get(value)
            return f"{label} ({value})" if label else value
        return {"collected_at": "collected at", RECORD_KEY: "record key"}.get(value, value)

    def setData(self, index: _Index, value: Any, role: int = _EDIT) -> bool:
        if not index.isValid() or role != _EDIT or index.column() < self.IDENTIFIER:
            return False
        text = str(value or "").strip() or None
        spec = self.specs[index.row()]
        column = index.column()
        if column == self.IDENTIFIER:
            spec = ColumnSpec(text, spec.category, spec.role)
        elif column == self.CATEGORY:
            spec = ColumnSpec(spec.identifier, text, spec.role)
        else:
            header = self.headers[index.row()]
            if text == RECORD_KEY:  # part of the record key, and no other role
                # Appended, never reordered: the key of a row must come out the same at every
                # import of this system's exports, and the saved key's order is part of it.
                if header not in self.record_key:
                    self.record_key.append(header)
                text = None
            elif header in self.record_key:
                self.record_key.remove(header)
            if text == "collected_at":  # one collection time per record: take it from the others
                for other, s in enumerate(self.specs):
                    if s.role == "collected_at" and other != index.row():
                        self.specs[other] = ColumnSpec(s.identifier, s.category, None)
                        changed = self.index(other, self.ROLE)
                        self.dataChanged.emit(changed, changed)
            spec = ColumnSpec(spec.identifier, spec.category, text)
        self.specs[index.row()] = spec
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


def identifiers_text(found: Iterable[Any]) -> str:
    """ "email a@b.c; phone +1555…" from (kind, value) pairs or objects with kind/value."""
    parts = []
    for item in found:
        kind, value = (item.kind, item.value) if hasattr(item, "kind") else (item[0], item[1])
        parts.append(f"{kind} {value}")
    return "; ".join(parts)


def values_text(values: dict[str, Any], limit: int = 160) -> str:
    text = " · ".join(f"{k}: {v}" for k, v in values.items() if v not in (None, ""))
    return text if len(text) <= limit else text[: limit - 1] + "…"


FetchRows = Callable[[list[int]], list[Any]]


class RecordsModel(_Columns):
    """Record ids of a search; rows come from the runner a page at a time, for what is shown.

    ``fetch(ids)`` runs on the runner's worker thread; results land in a small page cache and the
    affected rows are repainted. Until a page has arrived its cells say "…".
    """

    COLUMNS = ("Source", "Row", "Collected at", "Identifiers", "Values", "Hold")
    HOLD = 5
    page_loaded = Signal(int)

    def __init__(self, submit: Callable[..., Any], fetch: FetchRows) -> None:
        super().__init__()
        self._submit = submit
        self._fetch = fetch
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, Any]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0

    # -- contents ---------------------------------------------------------------------------
    def set_ids(self, record_ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = record_ids
        self._pages.clear()
        self._pending.clear()
        self._generation += 1
        self.endResetModel()

    def extend_ids(self, record_ids: list[int]) -> None:
        """The full result of a search whose first ids are shown: append, keep what is loaded.

        Falls back to set_ids when the shown ids are not where the full result starts (the
        records changed between the two reads).
        """
        shown = len(self._ids)
        if record_ids[:shown] != self._ids:
            self.set_ids(record_ids)
            return
        if len(record_ids) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(record_ids) - 1)
            self._ids = record_ids
            self.endInsertRows()

    def prefetch(self, page_no: int = 0) -> None:
        """Ask for a page's rows now, ahead of whatever is queued next on the runner."""
        if page_no * PAGE_ROWS < len(self._ids):
            self._request(page_no)

    def record_id(self, row: int) -> int:
        return self._ids[row]

    def loaded_row(self, row: int) -> Any | None:
        """The record at a row if its page has arrived (never fetches synchronously)."""
        page = self._pages.get(row // PAGE_ROWS)
        return None if page is None else page.get(self._ids[row])

    def loaded_pages(self) -> int:
        return len(self._pages)

    def _request(self, page_no: int) -> None:
        if page_no in self._pending or page_no in self._pages:
            return
        self._pending.add(page_no)
        start = page_no * PAGE_ROWS
        wanted = self._ids[start : start + PAGE_ROWS]
        generation = self._generation
        fetch = self._fetch
        self._submit(
            lambda: fetch(wanted),
            lambda rows: self._arrived(generation, page_no, rows),
            lambda exc: self._failed(generation, page_no, exc),
        )

    def _arrived(self, generation: int, page_no: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return  # a newer search replaced the ids this page was for
        self._pending.discard(page_no)
        self._pages[page_no] = {r.id: r for r in rows}
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        first = page_no * PAGE_ROWS
        last = min(first + PAGE_ROWS, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))
        self.page_loaded.emit(page_no)

    def _failed(self, generation: int, page_no: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._pending.discard(page_no)
            self._pages[page_no] = {}  # shown as unavailable rather than retried in a loop

    # -- Qt ---------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        value = self._data(index, role)
        # A tooltip guesses rich text: data in one is escaped (console.ui.plain).
        return tip(value) if role == _TIP and isinstance(value, str) else value

    def _data(self, index: _Index, role: int) -> Any:
        if not index.isValid() or role not in (_DISPLAY, _TIP, Qt.ItemDataRole.ForegroundRole):
            return None
        row = index.row()
        page_no = row // PAGE_ROWS
        page = self._pages.get(page_no)
        if page is None:
            self._request(page_no)
            return "…" if role == _DISPLAY else None
        self._pages.move_to_end(page_no)
        rec = page.get(self._ids[row])
        if rec is None:
            return "(not available)" if role == _DISPLAY else None
        column = index.column()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.HOLD and rec.held_by:
                from PySide6.QtGui import QColor

                return QColor("#8a4b00")
            return None
        if column == self.HOLD:
            if not rec.held_by:
                return "" if role == _DISPLAY else None
            if role == _DISPLAY:
                return "On hold"
            return "\n".join(rec.held_by)  # each says "Legal hold LH-3 (case …) until …"
        if rec.erased and role == _DISPLAY and column == 4:
            return "(erased)"
        if column == 0:
            return rec.source
        if column == 1:
            return rec.row_number
        if column == 2:
            return when(rec.collected_at)
        if column == 3:
            return identifiers_text(rec.identifiers)
        if role == _TIP:
            return "\n".join(f"{k}: {v}" for k, v in rec.values.items())
        return values_text(rec.values)
