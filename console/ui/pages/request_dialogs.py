"""Dialogs of the request detail: a task for one source system, and the corrected values.

Each is opened through an `ask()` classmethod that tests replace (no modal loop in tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.services.records.search import RecordRow
from console.services.requests import fulfil as work
from console.services.requests.fulfil import Correction
from console.ui import theme
from console.ui.plain import plain_label


@dataclass(frozen=True)
class TaskAnswer:
    source: str
    action: str
    assignee: str | None
    due_on: dt.date | None


class AddTaskDialog(QDialog):
    """Source system, action, assignee and due date of a new task."""

    def __init__(
        self,
        sources: Sequence[str],
        users: Sequence[str],
        due_on: dt.date | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add task")
        form = QFormLayout(self)
        self.source_box = QComboBox()
        self.source_box.setEditable(True)
        self.source_box.addItems(list(sources))
        self.action_box = QComboBox()
        self.action_box.addItems(list(work.TASK_ACTIONS))
        self.assignee_box = QComboBox()
        self.assignee_box.addItem("(nobody)", None)
        for name in users:
            self.assignee_box.addItem(name, name)
        self.due_edit = QLineEdit(due_on.isoformat() if due_on else "")
        self.due_edit.setPlaceholderText("YYYY-MM-DD (empty: the request's due date)")
        self.problem_label = plain_label("")
        theme.set_role(self.problem_label, "error")
        form.addRow("&Source system", self.source_box)
        form.addRow("&Action", self.action_box)
        form.addRow("Assi&gnee", self.assignee_box)
        form.addRow("&Due", self.due_edit)
        form.addRow(self.problem_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.source_box.currentTextChanged.connect(self._check)
        self.due_edit.textChanged.connect(self._check)
        self._check()

    def _due(self) -> dt.date | None:
        text = self.due_edit.text().strip()
        return dt.date.fromisoformat(text) if text else None

    def _check(self) -> None:
        problem = "" if self.source_box.currentText().strip() else "Name the source system."
        try:
            self._due()
        except ValueError:
            problem = "The due date must look like 2026-01-31."
        self.problem_label.setText(problem)
        self.ok_button.setEnabled(not problem)

    def answer(self) -> TaskAnswer:
        return TaskAnswer(
            self.source_box.currentText().strip(),
            self.action_box.currentText(),
            self.assignee_box.currentData(),
            self._due(),
        )

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        sources: Sequence[str],
        users: Sequence[str],
        due_on: dt.date | None,
    ) -> TaskAnswer | None:
        """The new task, or None when cancelled. Tests replace this."""
        dlg = cls(sources, users, due_on, parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.answer()


class CorrectionDialog(QDialog):
    """The attached records' values; the user picks record and column and types the new value."""

    def __init__(self, rows: Sequence[RecordRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct records")
        self.rows = [r for r in rows if not r.erased]
        self.corrections: list[Correction] = []
        layout = QVBoxLayout(self)
        self.values_table = QTableWidget(0, 4)
        self.values_table.setHorizontalHeaderLabels(["Record", "Source", "Column", "Value"])
        self.values_table.verticalHeader().hide()
        self.values_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        cells = [(r, col, val) for r in self.rows for col, val in r.values.items()]
        self.values_table.setRowCount(len(cells))
        for i, (r, col, val) in enumerate(cells):
            for c, text in enumerate((r.id, r.source, col, "" if val is None else val)):
                self.values_table.setItem(i, c, QTableWidgetItem(str(text)))
        layout.addWidget(self.values_table, 1)
        form = QFormLayout()
        self.record_box = QComboBox()
        for r in self.rows:
            self.record_box.addItem(f"{r.id} — {r.source} row {r.row_number}", r.id)
        self.column_box = QComboBox()
        self.value_edit = QLineEdit()
        form.addRow("&Record", self.record_box)
        form.addRow("&Column", self.column_box)
        form.addRow("&New value", self.value_edit)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add correction")
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.pending_label = plain_label("No corrections yet.")
        self.pending_label.setWordWrap(True)
        layout.addWidget(self.pending_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.record_box.currentIndexChanged.connect(self._columns)
        self.add_button.clicked.connect(self.add_correction)
        self._columns()

    def _columns(self) -> None:
        self.column_box.clear()
        rid = self.record_box.currentData()
        row = next((r for r in self.rows if r.id == rid), None)
        if row is not None:
            self.column_box.addItems([str(c) for c in row.values])

    def add_correction(self) -> None:
        rid = self.record_box.currentData()
        column = self.column_box.currentText()
        if rid is None or not column:
            return
        self.corrections.append(Correction(int(rid), column, self.value_edit.text().strip()))
        self.value_edit.clear()
        self.pending_label.setText(
            "\n".join(
                f"Record {c.record_id}: {c.column} → {c.new_value!r}" for c in self.corrections
            )
        )
        self.ok_button.setEnabled(True)

    @classmethod
    def ask(cls, parent: QWidget | None, rows: Sequence[RecordRow]) -> list[Correction] | None:
        """The corrections to make, or None when cancelled. Tests replace this."""
        dlg = cls(rows, parent)
        if dlg.exec() != QDialog.DialogCode.Accepted or not dlg.corrections:
            return None
        return list(dlg.corrections)
