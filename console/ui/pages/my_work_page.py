"""My work: what is assigned to me, soonest due first, with the next step; opens on its page.

The landing page for privacy officers and legal reviewers. A row opens the request on the
Requests page or the matter on the Legal page.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from console.services.requests.my_work import WorkItem, my_work
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label
from console.ui.widgets import empty_state

_COLUMNS = ("Matter", "What", "Status", "Due", "Deadline", "Next step")
_EMPTY = (
    "Nothing is assigned to you. Requests and legal matters assigned to you appear here, soonest "
    "due first. To pick one up, open it on the Requests or Legal page and choose Assign."
)


class MyWorkPage(Page):
    title = "My work"
    # ("dsr" or "legal", id): the main window opens it on its page.
    open_matter = Signal(str, int)
    loaded = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("My work"))
        top = QHBoxLayout()
        self.summary_label = plain_label("")
        self.summary_label.setObjectName("summary")
        top.addWidget(self.summary_label, 1)
        self.open_button = QPushButton("&Open")
        self.open_button.setObjectName("open")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected)
        top.addWidget(self.open_button)
        layout.addLayout(top)

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setObjectName("my_work")
        self.table.setAccessibleName("Requests and legal matters assigned to me")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            len(_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.table.itemSelectionChanged.connect(
            lambda: self.open_button.setEnabled(self.selected() is not None)
        )
        self.table.cellDoubleClicked.connect(lambda _row, _col: self.open_selected())
        layout.addWidget(self.table, 1)

        self.empty_label = empty_state(self.table, _EMPTY)
        self.items: list[WorkItem] = []

    def refresh(self) -> None:
        self.ctx.runner.submit(lambda: my_work(self.ctx.db, self.ctx.actor), self._loaded)

    def _loaded(self, items: list[WorkItem]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (
                item.ref,
                item.title,
                item.status,
                item.due_on.isoformat(),
                item.when(),
                item.next_action,
            )
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 4 and item.overdue:
                    # Colour and the word "overdue" together: never colour alone.
                    cell.setForeground(QColor("#b3261e"))
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(row, col, cell)
        for col in range(len(_COLUMNS) - 1):
            self.table.resizeColumnToContents(col)
        overdue = sum(i.overdue for i in items)
        n = len(items)
        summary = f"{n} open item{'s' if n != 1 else ''} assigned to you"
        if overdue:
            summary += f", {overdue} overdue"
        self.summary_label.setText(summary + "." if items else "")
        self.loaded.emit()

    def selected(self) -> WorkItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]

    def open_selected(self) -> None:
        item = self.selected()
        if item is not None:
            self.open_matter.emit(item.kind, item.id)
