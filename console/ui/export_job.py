"""Running a report export from any page: ask where to save, run in the background, show progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from console.errors import ConsoleError
from console.reports import ExportResult
from console.services import reports
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.runner import JobHandle


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

    def start(self, name: str, fmt: str, params: reports.ReportParams,
              out: Path | None = None) -> bool:
        target = out or SaveAs.ask(self.parent_widget, f"{name}.{fmt}", fmt)
        if target is None:
            return False
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        self.progress = QProgressDialog(f"Exporting {name}…", "Cancel", 0, 0, self.parent_widget)
        self.progress.setMinimumDuration(300)
        self.progress.setAutoClose(False)

        def work(progress: object, cancelled: object) -> ExportResult:
            return reports.run_report(self.ctx.db, self.ctx.actor, name, fmt,  # type: ignore[arg-type]
                                      target, params, progress=progress,  # type: ignore[arg-type]
                                      cancelled=cancelled)  # type: ignore[arg-type]

        self.handle = self.ctx.runner.submit(work, self._done, self._failed, with_progress=True)
        self.handle.progress.connect(self._rows)
        self.progress.canceled.connect(self.handle.cancel)
        return True

    def _rows(self, rows: int) -> None:
        if self.progress is not None:
            self.progress.setLabelText(f"Exporting… {rows:,} rows written")

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
        message = str(exc) if isinstance(exc, ConsoleError) else f"Export failed ({type(exc).__name__})."
        self.failed.emit(message)
        Ask.error(self.parent_widget, "Export", message)
