"""Reports page: the catalogue, each report's parameters, export to PDF/XLSX, and verify a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.reports import ExportResult
from console.services.reporting import catalogue as reports
from console.ui.export_job import ExportRunner
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label


class OpenFile:
    @staticmethod
    def ask(parent: QWidget | None) -> Path | None:
        """Which exported file to verify (None: cancelled). Tests replace this."""
        name, _ = QFileDialog.getOpenFileName(
            parent, "Verify an exported report", "", "Reports (*.pdf *.xlsx)"
        )
        return Path(name) if name else None


def _date_edit(day: QDate) -> QDateEdit:
    edit = QDateEdit(day)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class ReportsPage(Page):
    title = "Reports"
    exported = Signal(object)
    verified = Signal(object)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.specs = reports.catalogue()
        outer = QHBoxLayout(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Reports")
        for s in self.specs:
            self.list.addItem(s.title)
        outer.addWidget(self.list, 1)
        right = QVBoxLayout()
        outer.addLayout(right, 2)
        self.title_label = heading("")
        right.addWidget(self.title_label)
        self.description = plain_label("")
        self.description.setWordWrap(True)
        right.addWidget(self.description)
        form = QFormLayout()
        self.use_period = QCheckBox("Limit to a period")
        self.since_edit = _date_edit(QDate.currentDate().addMonths(-12))
        self.until_edit = _date_edit(QDate.currentDate())
        self.actor_edit = QLineEdit()
        self.action_edit = QLineEdit()
        self.query_edit = QLineEdit()
        self.id_edit = QSpinBox()
        self.id_edit.setRange(0, 2_000_000_000)
        self.format_box = QComboBox()
        self.format_box.addItem("PDF", "pdf")
        self.format_box.addItem("Excel workbook (XLSX)", "xlsx")
        self._rows = {
            "period": (self.use_period, "Period"),
            "since": (self.since_edit, "From"),
            "until": (self.until_edit, "To"),
            "actor_name": (self.actor_edit, "User"),
            "action": (self.action_edit, "Action starts with"),
            "query": (self.query_edit, "Search text"),
            "object_id": (self.id_edit, "Request id"),
        }
        for widget, label in self._rows.values():
            form.addRow(label, widget)
        form.addRow("Format", self.format_box)
        self.form = form
        right.addLayout(form)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("&Export…")
        self.verify_button = QPushButton("&Verify a file…")
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.result_label = plain_label("")
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("result")
        right.addWidget(self.result_label)
        right.addStretch(1)
        self.runner = ExportRunner(ctx, self)
        self.runner.finished.connect(self._exported)
        self.list.currentRowChanged.connect(self._select)
        self.export_button.clicked.connect(self.export)
        self.verify_button.clicked.connect(self.verify)
        self.list.setCurrentRow(0)

    def current(self) -> reports.ReportSpec:
        return self.specs[max(self.list.currentRow(), 0)]

    def _select(self, row: int) -> None:
        if row < 0:
            return
        spec = self.specs[row]
        self.title_label.setText(spec.title)
        extra = (
            " Contains personal data: exporting it is restricted and recorded."
            if spec.personal_data
            else ""
        )
        level = reports.CLASSIFICATION_LABELS[spec.classification]
        self.description.setText(f"{spec.description}{extra} Classification: {level}.")
        takes = set(spec.takes)
        shown = {
            "period": bool(takes & {"since"}),
            "since": "since" in takes,
            "until": bool(takes & {"since", "until"}),
            "actor_name": "actor_name" in takes,
            "action": "action" in takes,
            "query": "query" in takes,
            "object_id": "object_id" in takes,
        }
        for key, (widget, _label) in self._rows.items():
            self.form.setRowVisible(widget, shown[key])

    def params(self) -> reports.ReportParams:
        takes = set(self.current().takes)

        def day(edit: QDateEdit) -> date:
            q = edit.date()
            return date(q.year(), q.month(), q.day())

        limited = self.use_period.isChecked()
        return reports.ReportParams(
            since=day(self.since_edit) if limited and "since" in takes else None,
            until=day(self.until_edit)
            if limited and ("until" in takes or "since" in takes)
            else None,
            actor_name=self.actor_edit.text().strip() or None if "actor_name" in takes else None,
            action=self.action_edit.text().strip() or None if "action" in takes else None,
            query=self.query_edit.text().strip() or None if "query" in takes else None,
            object_id=self.id_edit.value() or None if "object_id" in takes else None,
        )

    def export(self) -> None:
        spec = self.current()
        self.result_label.setText("")
        self.runner.start(spec.name, str(self.format_box.currentData()), self.params())

    def _exported(self, result: ExportResult) -> None:
        pages = f", {result.pages} pages" if result.pages else ""
        self.result_label.setText(
            f"Wrote {result.path} ({sum(result.row_counts.values()):,} rows{pages}).\n"
            f"SHA-256 {result.sha256}\nManifest: {result.manifest_path.name}"
        )
        self.exported.emit(result)

    def verify(self) -> None:
        path = OpenFile.ask(self)
        if path is None:
            return
        self.ctx.runner.submit(
            lambda: reports.verify_report(self.ctx.db, self.ctx.actor, path), self._verified
        )

    def _verified(self, check: reports.ReportCheck) -> None:
        colour = "#1b5e20" if check.ok else "#b00020"
        self.result_label.setStyleSheet(f"color: {colour};")
        self.result_label.setText(check.reason)
        self.verified.emit(check)
