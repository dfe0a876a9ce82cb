"""Qt item model of the legal register (ids held, rows fetched for what is on screen) and the
hold badge any page that shows records can put beside a held one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from console.services.legal import read as legal_read
from console.services.legal.model import LegalSummary
from console.ui.pages.base import UiContext
from console.ui.plain import plain_label, tip
from console.ui.text import moment as text_moment
from console.ui.widgets import CHIP_ROLE, LEGAL_TONES

_Index = QModelIndex | QPersistentModelIndex
_PAGE = 200
_OVERDUE = QColor("#b00020")


class LegalTableModel(QAbstractTableModel):
    COLUMNS = ("Ref", "Type", "Status", "Agency", "Country", "Case", "Due", "Holds", "NDO")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._ids: list[int] = []
        self._cache: dict[int, LegalSummary] = {}

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self.endResetModel()

    def request_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, request_id: int) -> int:
        return self._ids.index(request_id) if request_id in self._ids else -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def summary(self, row: int) -> LegalSummary | None:
        request_id = self.request_id(row)
        if request_id is None:
            return None
        if request_id not in self._cache:
            start = (row // _PAGE) * _PAGE
            if len(self._cache) > 10 * _PAGE:
                self._cache.clear()
            for s in legal_read.requests_by_id(
                self.ctx.db, self.ctx.actor, self._ids[start : start + _PAGE]
            ):
                self._cache[s.id] = s
        return self._cache.get(request_id)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.summary(index.row())
        if s is None:
            return None
        if role == CHIP_ROLE:
            if index.column() == 2:
                return LEGAL_TONES.get(s.status.value, "neutral")
            if index.column() == 6 and s.overdue:
                return "danger"
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6 and s.overdue:
            return "Overdue"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            s.ref,
            s.process_type.label,
            s.status.label,
            s.agency,
            s.country,
            s.case_number,
            _when(s.due_at) + (" · overdue" if s.overdue else ""),
            s.active_holds or "",
            "NDO" if s.ndo else "",
        )[index.column()]


def _when(moment: datetime) -> str:
    return text_moment(moment)


def hold_badge(text: str) -> QLabel:
    """A small badge for a held record or subject; `text` from legal_holds.hold_badges()."""
    label = plain_label("⚖ HOLD")
    label.setObjectName("hold_badge")
    label.setToolTip(tip(text))
    label.setAccessibleName(text)
    label.setStyleSheet(
        "background: #9b1c1c; color: white; border-radius: 3px; padding: 1px 4px;"
        " font-weight: bold;"
    )
    return label
