"""Running a report export from any page: ask where to save, run in the background, show progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from console.errors import ConsoleError
from console.reports import ExportResult
from console.services.reporting import catalogue as reports
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.runner import JobHandle
from console.wording import plural


class SaveAs:
    @staticmethod
    def ask(parent: QWidget | None, suggested: str, fmt: str) -> Path | None:
        """Where to write the report (None: cancelled). Tests replace this."""
        filters = "PDF (*.pdf)" if fmt == "pdf" else "Excel workbook (*.xlsx)"
        name, _ = QFileDialog.getSaveFileName(parent, "Export report", suggested, filters)
        return Path(name) if name else None


class ExportRunner(QObject):
    """One export at a time from a page; emits finished(ExportResult) or failed(message)."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.handle: JobHandle | None = None
        self.progress: QProgressDialog | None = None

    def start(
        self, name: str, fmt: str, params: reports.ReportParams, out: Path | None = None
    ) -> bool:
        target = out or SaveAs.ask(self.parent_widget, f"{name}.{fmt}", fmt)
        if target is None:
            return False
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        force = target.exists() and Ask.confirm(
            self.parent_widget, "Export", f"{target.name} already exists. Replace it?"
        )
        if target.exists() and not force:
            return False
        self.progress = QProgressDialog(f"Exporting {name}…", "Cancel", 0, 0, self.parent_widget)
        self.progress.setMinimumDuration(300)
        self.progress.setAutoClose(False)

        def work(progress: object, cancelled: object) -> ExportResult:
            return reports.run_report(
                self.ctx.db,
                self.ctx.actor,
                name,
                fmt,  # type: ignore[arg-type]
                target,
                params,
                progress=progress,  # type: ignore[arg-type]
                cancelled=cancelled,  # type: ignore[arg-type]
                force=force,
            )

        self.handle = self.ctx.runner.submit(work, self._done, self._failed, with_progress=True)
        self.handle.progress.connect(self._rows)
        self.progress.canceled.connect(self.handle.cancel)
        return True

    def _rows(self, rows: int) -> None:
        if self.progress is not None:
            self.progress.setLabelText(f"Exporting… {plural(rows, 'row')} written")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, result: ExportResult) -> None:
        self._close_progress()
        self.finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._close_progress()
        message = (
            str(exc) if isinstance(exc, ConsoleError) else f"Export failed ({type(exc).__name__})."
        )
        self.failed.emit(message)
        Ask.error(self.parent_widget, "Export", message)


class ExportControl(QWidget):
    """An Export… button with a format choice, for a list page: exports one named report."""

    def __init__(
        self,
        ctx: UiContext,
        report: str,
        params: Callable[[], reports.ReportParams] = reports.ReportParams,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.report = report
        self.params = params
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton("E&xport…")
        self.button.setToolTip(f"Export the {report} report as PDF or XLSX")
        self.format_box = QComboBox()
        self.format_box.addItem("PDF", "pdf")
        self.format_box.addItem("XLSX", "xlsx")
        layout.addWidget(self.button)
        layout.addWidget(self.format_box)
        self.runner = ExportRunner(ctx, self)
        self.button.clicked.connect(self.export)

    def export(self) -> None:
        self.runner.start(self.report, str(self.format_box.currentData()), self.params())
