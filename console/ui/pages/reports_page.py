"""Reports page: the catalogue, each report's parameters, export to PDF/XLSX, and verify a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
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

from console.domain import labels
from console.domain.permissions import Permission
from console.reports import ExportResult
from console.services import policy
from console.services.records import sources
from console.services.reporting import catalogue as reports
from console.ui import theme
from console.ui.export_job import ExportRunner
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label
from console.wording import plural


class OpenFile:
    @staticmethod
    def ask(parent: QWidget | None) -> Path | None:
        """Which exported file to verify (None: cancelled). Tests replace this."""
        name, _ = QFileDialog.getOpenFileName(
            parent, "Verify an exported report", "", "Reports (*.pdf *.xlsx)"
        )
        return Path(name) if name else None


def _date_edit(day: QDate, name: str) -> QDateEdit:
    edit = QDateEdit(day)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    edit.setEnabled(False)  # until its box is ticked: a date that is not used is not editable
    return edit


# What a date means in the reports that read it differently from "events in a period".
DATE_LABELS: dict[str, dict[str, str]] = {
    "ropa": {"until": "Policy in force on"},
    "cookie-register": {"until": "Policy in force on"},
    "transparency": {"since": "Half-year that includes"},
}
DEFAULT_DATE_LABELS = {"since": "From", "until": "To"}


class ReportsPage(Page):
    title = "Reports"
    exported = Signal(object)
    verified = Signal(object)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.specs = reports.catalogue()
        outer = QHBoxLayout(self)
        theme.space(outer, margins=2, spacing=2)
        self.list = QListWidget()
        self.list.setAccessibleName("Reports")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)
        for s in self.specs:
            self.list.addItem(s.title)
        self.list.setMaximumWidth(36 * theme.SPACE)
        outer.addWidget(self.list, 1)
        right = QVBoxLayout()
        outer.addLayout(right, 3)
        self.title_label = heading("")
        right.addWidget(self.title_label)
        self.description = plain_label("")
        self.description.setWordWrap(True)
        right.addWidget(self.description)
        form = QFormLayout()
        # A date is used only when its box is ticked; the box is the field's label.
        self.since_check = QCheckBox("From")
        self.until_check = QCheckBox("To")
        self.since_edit = _date_edit(QDate.currentDate().addMonths(-12), "From date")
        self.until_edit = _date_edit(QDate.currentDate(), "To date")
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        self.actor_edit = QLineEdit()
        self.actor_edit.setAccessibleName("User")
        self.actor_edit.setPlaceholderText("Any user")
        # What happened, by job and by action, in words (the trail's codes stay underneath).
        self.action_box = QComboBox()
        # Long action names are read in the open list; the closed box keeps the row narrow.
        self.action_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.action_box.setMinimumContentsLength(16)
        self.action_box.setAccessibleName("What happened")
        self.action_box.addItem("Everything", None)
        for prefix, group in labels.ACTION_GROUPS:
            self.action_box.addItem(group, prefix)
            for code, words in sorted(labels.ACTIONS.items(), key=lambda kv: kv[1]):
                if code == prefix or code.startswith(prefix + "."):
                    self.action_box.addItem("    " + words, code)
        self.query_edit = QLineEdit()
        self.query_edit.setAccessibleName("Search text")
        self.query_edit.setPlaceholderText("A name, e-mail, phone or customer id (required)")
        self.source_box = QComboBox()
        self.source_box.setAccessibleName("Source")
        self.source_box.addItem("All sources", None)
        self.category_box = QComboBox()
        self.category_box.setAccessibleName("Data category")
        self.category_box.addItem("All categories", None)
        self.id_edit = QSpinBox()
        self.id_edit.setAccessibleName("Request id")
        self.id_edit.setRange(0, 2_000_000_000)
        self.id_edit.setSpecialValueText("(choose a request)")
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Format")
        self.format_box.addItem("PDF", "pdf")
        self.format_box.addItem("Excel workbook (XLSX)", "xlsx")
        # param -> (label widget or text, field widget); each row shows only for reports taking it
        self._rows: dict[str, tuple[QWidget | str, QWidget]] = {
            "since": (self.since_check, self.since_edit),
            "until": (self.until_check, self.until_edit),
            "actor_name": ("User", self.actor_edit),
            "action": ("What happened", self.action_box),
            "query": ("Search text", self.query_edit),
            "source": ("Source", self.source_box),
            "category": ("Data category", self.category_box),
            "object_id": ("Request id", self.id_edit),
        }
        for label, widget in self._rows.values():
            form.addRow(label, widget)
        form.addRow("Format", self.format_box)
        self.form = form
        right.addLayout(form)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("&Export…")
        self.export_button.setProperty("primary", True)
        self.verify_button = QPushButton("&Verify a file…")
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.result_label = plain_label("")
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.result_label)
        right.addStretch(1)
        self.runner = ExportRunner(ctx, self)
        self.runner.finished.connect(self._exported)
        self.list.currentRowChanged.connect(self._select)
        self.export_button.clicked.connect(self.export)
        self.verify_button.clicked.connect(self.verify)
        self.list.setCurrentRow(0)

    def refresh(self) -> None:
        """The sources and categories the records report can be limited to."""
        db, actor = self.ctx.db, self.ctx.actor

        def fetch() -> tuple[list[str], list[tuple[str, str]]]:
            names = [s.name for s in sources.list_sources(db, actor)]
            pack = policy.pack_in_force(db, actor)
            return names, [(c.id, c.label) for c in pack.categories]

        if actor.can(Permission.VIEW_SOURCES) and actor.can(Permission.VIEW_POLICY):
            self.ctx.runner.submit(fetch, self._choices, lambda _exc: None)

    def _choices(self, result: tuple[list[str], list[tuple[str, str]]]) -> None:
        names, categories = result
        for box, items in (
            (self.source_box, [(n, n) for n in names]),
            (self.category_box, [(label, cid) for cid, label in categories]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for label, value in items:
                box.addItem(label, value)
            box.setCurrentIndex(max(box.findData(current), 0))
            box.blockSignals(False)

    def current(self) -> reports.ReportSpec:
        return self.specs[max(self.list.currentRow(), 0)]

    def shown_params(self) -> set[str]:
        """The parameters whose fields are on screen for the selected report."""
        return {key for key, (_l, w) in self._rows.items() if self.form.isRowVisible(w)}

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
        labels = {**DEFAULT_DATE_LABELS, **DATE_LABELS.get(spec.name, {})}
        self.since_check.setText(labels["since"])
        self.until_check.setText(labels["until"])
        for key, (_label, widget) in self._rows.items():
            self.form.setRowVisible(widget, key in takes)
        self.result_label.setText("")

    def params(self) -> reports.ReportParams:
        """Exactly what the shown fields say; a field that is not shown is never sent."""
        takes = set(self.current().takes)

        def day(edit: QDateEdit) -> date:
            q = edit.date()
            return date(q.year(), q.month(), q.day())

        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        return reports.ReportParams(
            since=day(self.since_edit)
            if "since" in takes and self.since_check.isChecked()
            else None,
            until=day(self.until_edit)
            if "until" in takes and self.until_check.isChecked()
            else None,
            actor_name=text(self.actor_edit) if "actor_name" in takes else None,
            action=self.action_box.currentData() if "action" in takes else None,
            query=text(self.query_edit) if "query" in takes else None,
            source=self.source_box.currentData() if "source" in takes else None,
            category=self.category_box.currentData() if "category" in takes else None,
            object_id=(self.id_edit.value() or None) if "object_id" in takes else None,
        )

    def export(self) -> None:
        spec = self.current()
        self.result_label.setText("")
        self.runner.start(spec.name, str(self.format_box.currentData()), self.params())

    def _exported(self, result: ExportResult) -> None:
        pages = f", {plural(result.pages, 'page')}" if result.pages else ""
        rows = sum(result.row_counts.values())
        theme.set_role(self.result_label, "ok")
        self.result_label.setText(
            f"Wrote {result.path} ({plural(rows, 'row')}{pages}).\n"
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
        theme.set_role(self.result_label, "ok" if check.ok else "error")
        self.result_label.setText(check.reason)
        self.verified.emit(check)
