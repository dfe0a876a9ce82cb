"""Sources page: the source catalogue, adding a source, importing a file, and its import batches."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.labels import label
from console.domain.permissions import Permission
from console.domain.policy import PolicyPack
from console.services import policy
from console.services.records import batches as import_batches
from console.services.records import sources
from console.ui.dialogs import Ask
from console.ui.import_dialog import ChooseFile, ImportDialog
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label, tip
from console.ui.records_models import BatchesModel, SourcesModel
from console.ui.widgets import empty_state
from console.wording import plural

UNDOABLE = "completed"


def _table(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
    return view


class AddSourceDialog(QDialog):
    """Name, kind (the policy pack's collection sources), owner, system, categories, region."""

    def __init__(self, pack: PolicyPack | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add source")
        self.pack = pack
        form = QFormLayout(self)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Salesforce CRM, Newsletter list")
        self.kind_box = QComboBox()
        kind_labels = {k.id: k.label for k in pack.source_kinds} if pack else {}
        for kind in sources.KINDS:
            self.kind_box.addItem(kind_labels.get(kind) or label("source_kind", kind), kind)
        self.owner_edit = QLineEdit()
        self.system_edit = QLineEdit()
        self.retention_edit = QLineEdit()
        self.retention_edit.setPlaceholderText("e.g. 3 years after last contact")
        self.region_edit = QLineEdit("US")
        self.region_edit.setMaxLength(2)
        self.region_edit.setToolTip(
            "Country whose numbering plan reads phone numbers written "
            "without a country code (two letters, like US or DE)"
        )
        self.categories = QListWidget()
        self.categories.setAccessibleName("Data categories")
        # Room for the policy's ~25 categories without a sideways scroll bar.
        self.categories.setMinimumSize(320, 300)
        self.categories.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.categories.setWordWrap(True)
        for c in pack.categories if pack else ():
            item = QListWidgetItem(c.label)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(tip(c.id))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.categories.addItem(item)
        form.addRow("&Name", self.name_edit)
        form.addRow("&Kind", self.kind_box)
        form.addRow("&Owner", self.owner_edit)
        form.addRow("S&ystem", self.system_edit)
        form.addRow("&Retention", self.retention_edit)
        form.addRow("Phone re&gion", self.region_edit)
        form.addRow("Data &categories", self.categories)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        """Tick the categories the policy says this kind of source collects."""
        if self.pack is None:
            return
        kind = self.kind_box.currentData()
        wanted = next((set(k.categories) for k in self.pack.source_kinds if k.id == kind), set())
        for i in range(self.categories.count()):
            item = self.categories.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def values(self) -> dict[str, Any]:
        chosen = [
            str(self.categories.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.categories.count())
            if self.categories.item(i).checkState() == Qt.CheckState.Checked
        ]
        return {
            "name": self.name_edit.text(),
            "kind": str(self.kind_box.currentData()),
            "owner": self.owner_edit.text(),
            "system": self.system_edit.text(),
            "retention": self.retention_edit.text(),
            "default_region": self.region_edit.text() or "US",
            "categories": tuple(chosen),
        }

    @classmethod
    def ask(cls, parent: QWidget | None, pack: PolicyPack | None) -> dict[str, Any] | None:
        """The new source's fields (add_source keywords), or None when cancelled. Tests replace this."""
        dlg = cls(pack, parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.values()


class SourcesPage(Page):
    title = "Sources"
    loaded = Signal()
    batches_loaded = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.pack: PolicyPack | None = None
        self.import_dialog: ImportDialog | None = None
        self._select_after_load = ""
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Sources"))
        intro = plain_label(
            "The systems and channels whose exports are imported. Select a source to "
            "import a file into it or to see its imports."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.model = SourcesModel()
        self.table = _table(self.model)
        self.table.setAccessibleName("Sources")
        empty_state(
            self.table, "No sources yet. Add one with Add source…, then import its export file."
        )
        self.batch_model = BatchesModel()
        self.batch_table = _table(self.batch_model)
        self.batch_table.setAccessibleName("Import batches")
        empty_state(self.batch_table, "Nothing imported into this source yet: choose Import….")

        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add source…")
        self.import_button = QPushButton("&Import…")
        self.import_button.setToolTip(
            "Import an export file (CSV, XLSX, JSON lines) into the selected source"
        )
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.batches_label = plain_label("Imports")
        font = self.batches_label.font()
        font.setBold(True)
        self.batches_label.setFont(font)
        lower_layout.addWidget(self.batches_label)
        lower_layout.addWidget(self.batch_table, 1)
        batch_buttons = QHBoxLayout()
        self.batch_status = plain_label("")
        self.batch_status.setWordWrap(True)
        batch_buttons.addWidget(self.batch_status, 1)
        self.undo_button = QPushButton("&Undo batch…")
        self.undo_button.setToolTip("Remove the records that the selected import added")
        batch_buttons.addWidget(self.undo_button)
        lower_layout.addLayout(batch_buttons)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.table, 1)
        upper_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        actor = ctx.actor
        self.add_button.setEnabled(actor.can(Permission.MANAGE_SOURCES))
        self.can_import = actor.can(Permission.IMPORT_RECORDS)
        self.can_undo = actor.can(Permission.UNDO_IMPORT)
        self.add_button.clicked.connect(self.add_source)
        self.import_button.clicked.connect(self.import_file)
        self.undo_button.clicked.connect(self.undo_batch)
        self.table.selectionModel().selectionChanged.connect(self._source_selected)
        self.table.doubleClicked.connect(lambda _i: self.import_file())
        self.batch_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> tuple[list[sources.SourceInfo], PolicyPack | None]:
            try:
                pack: PolicyPack | None = policy.pack_in_force(db, actor)
            except Exception:  # a missing pack only costs the kind labels
                pack = None
            return sources.list_sources(db, actor), pack

        self.ctx.runner.submit(work, self._loaded)

    def _loaded(self, result: tuple[list[sources.SourceInfo], PolicyPack | None]) -> None:
        infos, pack = result
        if pack is not None:
            self.pack = pack
            self.model.kind_labels = {k.id: k.label for k in pack.source_kinds}
            self.model.category_labels = {c.id: c.label for c in pack.categories}
        current = self.current_source()
        self.model.set_rows(infos)
        self.table.resizeColumnsToContents()
        for column in (6, 7):  # long category lists and retention rules: in full in the tooltip
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 320))
        names = [s.name for s in infos]
        if infos:
            row = names.index(current.name) if current and current.name in names else 0
            self.table.selectRow(row)
        else:
            self.batch_model.set_rows([])
            self._update_buttons()
        self.status_message.emit(plural(len(infos), "source"))
        self.loaded.emit()

    def current_source(self) -> sources.SourceInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select_source(self, name: str) -> None:
        for i, s in enumerate(self.model.rows):
            if s.name == name:
                self.table.selectRow(i)
                return

    def _source_selected(self, _sel: QItemSelection, _old: QItemSelection) -> None:
        self._update_buttons()
        self.load_batches()

    def load_batches(self) -> None:
        src = self.current_source()
        if src is None:
            return
        self.batches_label.setText(f"Imports into {src.name}")
        db, actor, name = self.ctx.db, self.ctx.actor, src.name
        self.ctx.runner.submit(lambda: import_batches.list_batches(db, actor, name), self._batches)

    def _batches(self, batches: list[import_batches.BatchInfo]) -> None:
        src = self.current_source()
        if src is not None and batches and batches[0].source != src.name:
            return  # the selection moved on while this list was loading
        self.batch_model.set_rows(batches)
        self.batch_table.resizeColumnsToContents()
        result = BatchesModel.RESULT  # a long summary is read in full in its tooltip
        self.batch_table.setColumnWidth(result, min(self.batch_table.columnWidth(result), 480))
        self.batch_status.setText("" if batches else "Nothing imported yet.")
        self._update_buttons()
        self.batches_loaded.emit()

    def current_batch(self) -> import_batches.BatchInfo | None:
        rows = self.batch_table.selectionModel().selectedRows()
        return self.batch_model.rows[rows[0].row()] if rows else None

    def _update_buttons(self, *_args: object) -> None:
        self.import_button.setEnabled(self.can_import and self.current_source() is not None)
        batch = self.current_batch()
        self.undo_button.setEnabled(
            self.can_undo and batch is not None and batch.status == UNDOABLE
        )

    # -- actions ----------------------------------------------------------------------------
    def add_source(self) -> None:
        values = AddSourceDialog.ask(self, self.pack)
        if values is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        name = " ".join(str(values["name"]).split())

        def added(info: sources.SourceInfo) -> None:
            self.status_message.emit(f"Source {info.name} added.")
            self._select_after_load = info.name
            self.loaded.connect(self._select_pending)
            self.refresh()

        self.ctx.runner.submit(
            lambda: sources.add_source(
                db,
                actor,
                name,
                values["kind"],
                owner=values["owner"],
                system=values["system"],
                categories=values["categories"],
                retention=values["retention"],
                default_region=values["default_region"],
            ),
            added,
            lambda exc: Ask.error(self, "Add source", str(exc)),
        )

    def _select_pending(self) -> None:
        self.loaded.disconnect(self._select_pending)
        self.select_source(self._select_after_load)

    def import_file(self) -> None:
        src = self.current_source()
        if src is None or not self.can_import:
            return
        path = ChooseFile.ask(self, src.name)
        if path is None:
            return
        dlg = ImportDialog(self.ctx, src, path, self.pack, self)
        dlg.imported.connect(lambda _r: self.refresh())
        self.import_dialog = dlg
        dlg.open()

    def undo_batch(self) -> None:
        batch = self.current_batch()
        if batch is None or batch.status != UNDOABLE:
            return
        if not Ask.confirm(
            self,
            "Undo import",
            f"Remove the {plural(batch.rows_imported, 'record')} that batch {batch.id} "
            f"({batch.file_name}) added? This is recorded in the audit trail.\n\n"
            "Rows that later imports into this source found already present go too; "
            "import those files again afterwards to bring them back.",
        ):
            return
        db, actor, batch_id = self.ctx.db, self.ctx.actor, batch.id

        def undone(count: int) -> None:
            self.status_message.emit(f"Batch {batch_id} undone: {plural(count, 'record')} removed.")
            self.refresh()

        self.ctx.runner.submit(
            lambda: import_batches.undo_batch(db, actor, batch_id),
            undone,
            lambda exc: Ask.error(self, "Undo import", str(exc)),
        )
