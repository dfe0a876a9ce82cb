"""The Import dialog: a file's first rows, its column mapping to edit, the import with progress
and Cancel, and a summary with the rejected rows to save."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import identifiers as ids
from console.domain.policy import PolicyPack
from console.errors import ConsoleError
from console.importers.mapping import CATEGORIES
from console.services.records import import_rejects, imports, sources
from console.ui import theme
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.plain import plain_label, tip
from console.ui.records_models import NOT_MAPPED, RECORD_KEY, MappingModel, PreviewModel
from console.ui.runner import JobHandle
from console.wording import plural

_Index = QModelIndex | QPersistentModelIndex


class SaveRejected:
    @staticmethod
    def ask(parent: QWidget | None, suggested: str) -> Path | None:
        """Where to write the rejected rows (None: cancelled). Tests replace this."""
        name, _ = QFileDialog.getSaveFileName(
            parent, "Save rejected rows", suggested, "CSV (*.csv)"
        )
        return Path(name) if name else None


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor over (label, value) choices; the model's EditRole holds the value."""

    def __init__(self, choices: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        box = QComboBox(parent)
        for label, value in self.choices:
            box.addItem(label, value)
        # Commit and close as soon as a choice is made, so a keyboard user needs no extra Enter.
        box.activated.connect(lambda _i: self._chosen(box))
        return box

    def _chosen(self, box: QComboBox) -> None:
        self.commitData.emit(box)
        self.closeEditor.emit(box, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        value = str(index.data(Qt.ItemDataRole.EditRole) or "")
        found = editor.findData(value)
        if found < 0:  # e.g. other:crm_no, or a category this pack does not name
            editor.addItem(value, value)
            found = editor.count() - 1
        editor.setCurrentIndex(found)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def identifier_choices() -> list[tuple[str, str]]:
    out = [(NOT_MAPPED, "")]
    for kind in ids.KINDS:
        out.append((f"{kind} ({'strong' if ids.is_strong(kind) else 'weak'})", kind))
    return out


def category_choices(pack: PolicyPack | None) -> list[tuple[str, str]]:
    out = [(NOT_MAPPED, "")]
    if pack is not None:
        out += [(f"{c.label} ({c.id})", c.id) for c in pack.categories]
    else:
        out += [(c, c) for c in CATEGORIES]
    return out


# "record key": the column(s) that name a row in this system, so a later export's row with the
# same key counts as already present (kept in the mapping's record_key, not as a column role).
ROLE_CHOICES = [(NOT_MAPPED, ""), ("collected at", "collected_at"), ("record key", RECORD_KEY)]


class ChooseFile:
    @staticmethod
    def ask(parent: QWidget | None, source: str) -> Path | None:
        """Which export to import into a source (None: cancelled). Tests replace this."""
        name, _ = QFileDialog.getOpenFileName(
            parent,
            f"Import into {source}",
            "",
            "Exports (*.csv *.tsv *.txt *.xlsx *.jsonl *.ndjson);;All files (*)",
        )
        return Path(name) if name else None


class ImportDialog(QDialog):
    """Import one file into one source. Emits previewed, then imported(ImportResult)."""

    previewed = Signal(object)
    imported = Signal(object)

    def __init__(
        self,
        ctx: UiContext,
        source: sources.SourceInfo,
        path: Path,
        pack: PolicyPack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.source = source
        self.path = path
        self.preview: imports.ImportPreview | None = None
        self.import_result: imports.ImportResult | None = None
        self.handle: JobHandle | None = None
        self.setWindowTitle(f"Import into {source.name}")
        self.resize(1000, 700)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.file_label = QLabel("")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.file_label, 1)
        self.choose_button = QPushButton("C&hoose another file…")
        top.addWidget(self.choose_button)
        layout.addLayout(top)
        self.notes_label = plain_label("Reading the file…")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextFormat(Qt.TextFormat.PlainText)  # headers come from the file
        self.notes_label.setObjectName("notes")
        layout.addWidget(self.notes_label)

        self.mapping_model = MappingModel()
        if pack is not None:
            self.mapping_model.category_labels = {c.id: c.label for c in pack.categories}
        self.mapping_view = QTableView()
        self.mapping_view.setAccessibleName("Column mapping")
        self.mapping_view.setModel(self.mapping_model)
        self.mapping_view.verticalHeader().hide()
        self.mapping_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.mapping_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.mapping_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.mapping_view.setTabKeyNavigation(False)
        self._delegates = [
            ChoiceDelegate(identifier_choices(), self.mapping_view),
            ChoiceDelegate(category_choices(pack), self.mapping_view),
            ChoiceDelegate(ROLE_CHOICES, self.mapping_view),
        ]
        for column, delegate in zip(
            (MappingModel.IDENTIFIER, MappingModel.CATEGORY, MappingModel.ROLE),
            self._delegates,
            strict=True,
        ):
            self.mapping_view.setItemDelegateForColumn(column, delegate)
        header = self.mapping_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

        self.preview_model = PreviewModel()
        self.preview_view = QTableView()
        self.preview_view.setAccessibleName("First rows of the file")
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_view.setTabKeyNavigation(False)

        mapping_box = QWidget()
        mb = QVBoxLayout(mapping_box)
        mb.setContentsMargins(0, 0, 0, 0)
        mapping_label = plain_label(
            "Column &mapping — press F2 on a cell to change it; columns not "
            "mapped are kept with the record and searchable:"
        )
        mapping_label.setBuddy(self.mapping_view)
        mb.addWidget(mapping_label)
        mb.addWidget(self.mapping_view, 1)
        preview_box = QWidget()
        pb = QVBoxLayout(preview_box)
        pb.setContentsMargins(0, 0, 0, 0)
        self.preview_label = plain_label("First rows")
        pb.addWidget(self.preview_label)
        pb.addWidget(self.preview_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(mapping_box)
        split.addWidget(preview_box)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.summary_label = plain_label("")
        self.summary_label.setObjectName("summary")
        # Rich text for the bold count; every file-made part (names, messages) is escaped.
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_rejected_button = QPushButton("&Save rejected rows…")
        self.save_rejected_button.hide()
        self.run_button = QPushButton("&Run import")
        self.run_button.setDefault(True)
        self.run_button.setEnabled(False)
        self.cancel_button = QPushButton("&Cancel import")
        self.cancel_button.hide()
        self.close_button = QPushButton("Close")
        for b in (
            self.save_rejected_button,
            self.run_button,
            self.cancel_button,
            self.close_button,
        ):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        self.run_button.setAutoDefault(True)
        layout.addLayout(buttons)

        self.choose_button.clicked.connect(self.choose_file)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        self.save_rejected_button.clicked.connect(self.save_rejected)
        self.load_preview()

    # -- preview ----------------------------------------------------------------------------
    def choose_file(self) -> None:
        path = ChooseFile.ask(self, self.source.name)
        if path is not None:
            self.path = path
            self.import_result = None
            self.summary_label.setText("")
            self.save_rejected_button.hide()
            self.load_preview()

    def load_preview(self) -> None:
        self.file_label.setText(f"<b>File:</b> {escape(self.path.name)}")
        self.file_label.setToolTip(tip(str(self.path)))
        self.notes_label.setText("Reading the file…")
        self.run_button.setEnabled(False)
        db, actor, path, name = self.ctx.db, self.ctx.actor, self.path, self.source.name
        self.ctx.runner.submit(
            lambda: imports.preview(db, actor, path, name), self._previewed, self._preview_failed
        )

    def _previewed(self, pv: imports.ImportPreview) -> None:
        self.preview = pv
        self.preview_model.set_preview(pv.headers, pv.sample_rows, pv.sample_numbers)
        self.preview_label.setText(f"First {plural(len(pv.sample_rows), 'row')} ({pv.file_format})")
        self.mapping_model.set_mapping(pv.headers, pv.mapping, pv.sample_rows)
        self.mapping_view.resizeColumnsToContents()
        for column in range(MappingModel.IDENTIFIER, MappingModel.ROLE + 1):
            self.mapping_view.setColumnWidth(
                column, max(self.mapping_view.columnWidth(column), 150)
            )
        self.mapping_view.setColumnWidth(1, min(self.mapping_view.columnWidth(1), 260))
        self.preview_view.resizeColumnsToContents()
        for column in range(self.preview_model.columnCount()):
            self.preview_view.setColumnWidth(
                column, min(self.preview_view.columnWidth(column), 240)
            )
        if pv.proposed:
            lead = (
                "A mapping was proposed from the column names and values. Check it; it is "
                "saved with the source when the import runs."
            )
        else:
            lead = "Using the mapping saved with this source."
        text = " ".join([lead, *pv.notes])
        if pv.rejects:  # one per line: each names its row, the rejected list will too
            text += "\nWill be rejected (not in the rows below):\n" + "\n".join(
                f"• {r}" for r in pv.rejects
            )
        self.notes_label.setText(text)
        self.run_button.setEnabled(True)
        self.mapping_view.setFocus()
        self.previewed.emit(pv)

    def _preview_failed(self, exc: BaseException) -> None:
        message = (
            str(exc)
            if isinstance(exc, ConsoleError)
            else f"The file could not be read ({type(exc).__name__})."
        )
        self.notes_label.setText(message)
        theme.set_role(self.notes_label, "error")
        self.previewed.emit(None)

    # -- import -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.handle is not None

    def run(self) -> None:
        if self.preview is None or self.running:
            return
        mapping = self.mapping_model.mapping()
        db, actor, path, name = self.ctx.db, self.ctx.actor, self.path, self.source.name

        def work(progress: Any, cancelled: Any) -> imports.ImportResult:
            return imports.run_import(
                db,
                actor,
                path,
                name,
                mapping,
                progress=lambda rows, fraction: progress((rows, fraction)),
                cancelled=cancelled,
                save_mapping=True,
            )

        self.summary_label.setStyleSheet("")
        self.summary_label.setText("")
        self.save_rejected_button.hide()
        self.progress.setRange(0, 0)
        self.progress.setFormat("Importing…")
        self.progress.show()
        for w in (self.run_button, self.choose_button, self.mapping_view, self.close_button):
            w.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.cancel_button.setFocus()
        self.handle = self.ctx.runner.submit(work, self._done, self._failed, with_progress=True)
        self.handle.progress.connect(self._progress)

    def _progress(self, report: tuple[int, float | None]) -> None:
        rows, fraction = report
        if fraction is None:  # the file cannot tell how far it is (a sheet without its size)
            self.progress.setFormat(f"Importing… {plural(rows, 'row')} read")
            return
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1000)
        self.progress.setValue(round(fraction * 1000))
        self.progress.setFormat(
            f"Importing… {plural(rows, 'row')} read ({fraction:.0%} of the file)"
        )

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    def _finish(self) -> None:
        self.handle = None
        self.progress.hide()
        self.cancel_button.hide()
        for w in (self.run_button, self.choose_button, self.mapping_view, self.close_button):
            w.setEnabled(True)

    def _done(self, result: imports.ImportResult) -> None:
        self._finish()
        self.import_result = result
        if result.status == "completed":
            # Rejected rows need the user's attention: not the all-well green.
            colour = "#8a4b00" if result.rows_rejected else "#1b5e20"
            self.summary_label.setStyleSheet(f"color: {colour};")
            self.summary_label.setText(
                f"<b>Imported {result.rows_imported:,}</b> · already present "
                f"{result.rows_duplicate:,} · skipped (suppressed) {result.rows_suppressed:,} · "
                f"rejected {result.rows_rejected:,} — of {plural(result.rows_read, 'row')} read."
                f"<br>{escape(result.message)}"
            )
            self.run_button.setEnabled(False)  # the same file again would add nothing
            self.close_button.setFocus()
        else:
            self.summary_label.setStyleSheet("color: #b00020;")
            self.summary_label.setText(f"Import {result.status}: {escape(result.message)}")
        self.save_rejected_button.setVisible(bool(result.rejected))
        self.imported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        message = (
            str(exc)
            if isinstance(exc, ConsoleError)
            else f"The import failed ({type(exc).__name__}); nothing was kept."
        )
        self.summary_label.setStyleSheet("color: #b00020;")
        self.summary_label.setText(escape(message))
        self.imported.emit(None)

    def save_rejected(self) -> None:
        result = self.import_result
        if result is None or not result.rejected:
            return
        target = SaveRejected.ask(self, f"{Path(result.file_name).stem}-rejected.csv")
        if target is None:
            return
        if target.suffix.lower() != ".csv":
            target = target.with_name(target.name + ".csv")
        force = target.exists() and Ask.confirm(
            self, "Save rejected rows", f"{target.name} already exists. Replace it?"
        )
        if target.exists() and not force:
            return
        self.ctx.runner.submit(
            lambda: import_rejects.write_rejected_csv(
                self.ctx.db, self.ctx.actor, result, target, force=force
            ),
            lambda _r: self.summary_label.setText(
                self.summary_label.text() + f"<br>Rejected rows saved to {escape(str(target))}."
            ),
            lambda exc: Ask.error(self, "Save rejected rows", str(exc)),
        )

    def reject(self) -> None:
        """Closing while an import runs cancels it; the dialog closes once it has stopped."""
        if self.running:
            self.cancel()
            return
        super().reject()
