"""The Requests table model: knows how many requests match, fetches their ids and rows a page at
a time as they come on screen. rowCount, flags and selection never load rows; sorting re-asks the
database for the order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.services.requests import metrics as m
from console.services.requests.model import LAWS, REQUEST_TYPES
from console.ui.pages.base import UiContext
from console.ui.text import day
from console.ui.widgets import CHIP_ROLE, DSR_TONES
from console.wording import plural

_Index = QModelIndex | QPersistentModelIndex
_PAGE = 200
_ID_PAGE = 500
OVERDUE = QColor("#b00020")
DUE_SOON = QColor("#8a5300")


class RequestsModel(QAbstractTableModel):
    COLUMNS = ("Id", "Type", "Law", "Status", "Received", "Due", "Days left", "Assignee")
    SORT_KEYS: ClassVar[dict[int, m.SortKey]] = {
        0: "id",
        1: "type",
        2: "law",
        3: "status",
        4: "received",
        5: "due",
        6: "due",
    }

    def __init__(self, ctx: UiContext, today: dt.date | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or dt.date.today()
        self.filter = m.RequestFilter()
        self.sort_key: m.SortKey = "due"
        self.descending = False
        self._total = 0
        self._pages: dict[int, list[int]] = {}  # page number -> ids, in order
        self._cache: dict[int, m.RequestRow] = {}

    # -- loading (the page calls load() from the runner, set_loaded() in the GUI thread) -------
    def load(self) -> tuple[int, list[int]]:
        """How many requests match, and the first page of their ids."""
        total = m.request_count(self.ctx.db, self.ctx.actor, self.filter)
        return total, self._fetch_page(0)

    def _fetch_page(self, page: int) -> list[int]:
        return m.request_id_page(
            self.ctx.db,
            self.ctx.actor,
            self.filter,
            sort=self.sort_key,
            descending=self.descending,
            offset=page * _ID_PAGE,
            limit=_ID_PAGE,
        )

    def set_loaded(self, loaded: tuple[int, list[int]]) -> None:
        self.beginResetModel()
        self._total, first = loaded
        self._pages = {0: first}
        self._cache.clear()
        self.endResetModel()

    def request_id(self, row: int) -> int | None:
        if not 0 <= row < self._total:
            return None
        page = row // _ID_PAGE
        if page not in self._pages:
            if len(self._pages) > 50:
                self._pages = {0: self._pages[0]}
            self._pages[page] = self._fetch_page(page)
        ids = self._pages[page]
        offset = row - page * _ID_PAGE
        return ids[offset] if offset < len(ids) else None

    def row_of(self, request_id: int) -> int:
        """The row of a request among the pages fetched so far (-1 if not fetched or not there)."""
        for page, ids in self._pages.items():
            if request_id in ids:
                return page * _ID_PAGE + ids.index(request_id)
        return -1

    def refresh_rows(self) -> None:
        """Forget fetched rows (after a change) and repaint what is shown."""
        self._cache.clear()
        if self._total:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._total - 1, len(self.COLUMNS) - 1)
            )

    # -- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.SORT_KEYS.get(column)
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.set_loaded(self.load())

    def _row(self, row: int) -> m.RequestRow | None:
        rid = self.request_id(row)
        if rid is None:
            return None
        if rid not in self._cache:
            start = (row // _PAGE) * _PAGE
            if len(self._cache) > 20 * _PAGE:
                self._cache.clear()
            page = [
                i
                for r in range(start, min(start + _PAGE, self._total))
                if (i := self.request_id(r)) is not None
            ]
            for r in m.request_rows(self.ctx.db, self.ctx.actor, page):
                self._cache[r.id] = r
        return self._cache.get(rid)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.UserRole,
            CHIP_ROLE,
        ):
            return None
        r = self._row(index.row())
        if r is None:
            return None
        left = r.days_left(self.today)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == CHIP_ROLE:
            if index.column() == 3:
                return DSR_TONES.get(r.status, "neutral")
            if index.column() == 6 and left is not None:
                if left < 0:
                    return "danger"
                if left <= 6 and r.paused_since is None:
                    return "warn"
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if left is not None and left < 0:
                return f"Overdue by {plural(-left, 'day')}"
            return "Clock paused" if r.paused_since else None
        return self._display(r, index.column(), left)

    @staticmethod
    def _display(r: m.RequestRow, col: int, left: int | None) -> Any:
        if col == 0:
            return r.id
        if col == 1:
            return REQUEST_TYPES.get(r.request_type, r.request_type)
        if col == 2:
            return LAWS.get(r.law, r.law)
        if col == 3:
            return r.status_label + (" (paused)" if r.paused_since and r.is_open else "")
        if col == 4:
            return day(r.received_on)
        if col == 5:
            return day(r.due_on)
        if col == 6:
            if left is None:
                return "—"
            if left >= 0:
                return plural(left, "day") + (" (paused)" if r.paused_since else "")
            return f"{plural(-left, 'day')} overdue"
        return r.assignee or ""
