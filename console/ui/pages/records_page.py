"""Records page: search everything imported, filter by source and category, find a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import identifiers as ids
from console.domain.policy import PolicyPack
from console.errors import ConsoleError
from console.services import policy
from console.services.records import search as records
from console.services.records import sources
from console.services.reporting import catalogue as reports
from console.ui.dialogs import Ask
from console.ui.export_job import ExportRunner
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label
from console.ui.records_models import PAGE_ROWS, RecordsModel
from console.ui.subject_view import SubjectView
from console.ui.widgets import empty_state
from console.wording import plural

SEARCH_LIMIT = 100_000
# Ids asked for first, so the table shows rows at once (one page of the lazy model).
FIRST_IDS = PAGE_ROWS


class RecordsPage(Page):
    title = "Records"
    searched = Signal(int)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self._source_names: dict[int, str] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Records"))

        bar = QHBoxLayout()
        search_label = QLabel("&Search:")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(
            "Name, e-mail, phone, id or any word from an imported file — press Enter"
        )
        self.search_edit.setClearButtonEnabled(True)
        search_label.setBuddy(self.search_edit)
        self.source_box = QComboBox()
        self.source_box.setAccessibleName("Filter by source")
        self.source_box.addItem("All sources", None)
        self.category_box = QComboBox()
        self.category_box.setAccessibleName("Filter by data category")
        self.category_box.addItem("All categories", None)
        self.search_button = QPushButton("Searc&h")
        bar.addWidget(search_label)
        bar.addWidget(self.search_edit, 3)
        bar.addWidget(self.source_box, 1)
        bar.addWidget(self.category_box, 1)
        bar.addWidget(self.search_button)
        layout.addLayout(bar)

        self.model = RecordsModel(
            ctx.runner.submit, lambda wanted: records.records_by_id(ctx.db, ctx.actor, wanted)
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Search results")
        empty_state(
            self.table,
            "Type a name, e-mail, phone or customer id above and press Search. Records come from "
            "the files imported on the Sources page.",
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 60, 130, 300, 380, 80)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(RecordsModel.HOLD, QHeaderView.ResizeMode.Fixed)
        # Identifiers and values share what the window has left: with only the values stretched,
        # a narrow window cut every identifier to "customer_id C-1003; email …".
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

        under = QHBoxLayout()
        self.count_label = plain_label(
            "Type a name, an e-mail, a phone number or any word, then Enter."
        )
        self.count_label.setObjectName("count")
        under.addWidget(self.count_label, 1)
        self.find_button = QPushButton("Find this &person")
        self.find_button.setToolTip(
            "Everything held about the person of the selected record "
            "(also: double-click a row, or press Enter on it)"
        )
        self.find_button.setEnabled(False)
        under.addWidget(self.find_button)
        self.export_button = QPushButton("E&xport…")
        self.export_button.setToolTip("Export the records matching the search as PDF or XLSX")
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Export format")
        self.format_box.addItem("PDF", "pdf")
        self.format_box.addItem("XLSX", "xlsx")
        under.addWidget(self.export_button)
        under.addWidget(self.format_box)
        self.exporter = ExportRunner(ctx, self)
        self.can_export = "records" in {s.name for s in reports.catalogue()}
        self.export_button.setVisible(self.can_export)
        self.format_box.setVisible(self.can_export)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(under)
        self.subject = SubjectView(ctx)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.subject)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.table.installEventFilter(self)  # Enter on a row: find this person

        self.search_edit.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.source_box.activated.connect(lambda _i: self._refilter())
        self.category_box.activated.connect(lambda _i: self._refilter())
        self.table.doubleClicked.connect(lambda _i: self.find_person())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.model.page_loaded.connect(lambda _p: self._selection_changed())
        self.find_button.clicked.connect(self.find_person)
        self.export_button.clicked.connect(self.export)
        self.last_query = ""
        self._search_no = 0  # the newest search; answers to older ones are dropped
        self._filters_loaded = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.find_person()
            return True
        return super().eventFilter(watched, event)

    # -- filters ----------------------------------------------------------------------------
    def refresh(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> tuple[list[sources.SourceInfo], PolicyPack | None]:
            try:
                pack: PolicyPack | None = policy.pack_in_force(db, actor)
            except Exception:  # without a pack the category filter lists the mapped ids only
                pack = None
            return sources.list_sources(db, actor), pack

        self.ctx.runner.submit(work, self._filters)

    def _filters(self, result: tuple[list[sources.SourceInfo], PolicyPack | None]) -> None:
        infos, pack = result
        current = self.source_box.currentData()
        self.source_box.clear()
        self.source_box.addItem("All sources", None)
        self._source_names = {s.id: s.name for s in infos}
        for s in infos:
            self.source_box.addItem(f"{s.name} ({s.record_count:,})", s.id)
        self.source_box.setCurrentIndex(max(self.source_box.findData(current), 0))
        if pack is not None:
            labels = {c.id: c.label for c in pack.categories}
            self.subject.category_labels = labels
            current = self.category_box.currentData()
            self.category_box.clear()
            self.category_box.addItem("All categories", None)
            for cid, label in labels.items():
                self.category_box.addItem(label, cid)
            self.category_box.setCurrentIndex(max(self.category_box.findData(current), 0))
        self._filters_loaded = True

    def _refilter(self) -> None:
        if self.search_edit.text().strip():
            self.search()

    # -- search -----------------------------------------------------------------------------
    def search(self) -> None:
        text = self.search_edit.text().strip()
        if not text:
            self._search_no += 1
            self.model.set_ids([])
            self.count_label.setText(
                "Type a name, an e-mail, a phone number or any word, then Enter."
            )
            return
        source_id = self.source_box.currentData()
        category = self.category_box.currentData()
        db, actor = self.ctx.db, self.ctx.actor
        self.count_label.setText("Searching…")
        self.last_query = text
        self._search_no += 1
        search_no = self._search_no

        def run(limit: int) -> list[int]:
            return records.search_ids(
                db,
                actor,
                text,
                source_ids=[source_id] if source_id is not None else None,
                category=category,
                limit=limit,
            )

        # The first screenful first (the newest matches), then the whole list behind it: a
        # common word at a million records must not keep the table empty while it is counted.
        self.ctx.runner.submit(
            lambda: run(FIRST_IDS),
            lambda found: self._first_found(search_no, found, run),
            self._failed,
        )

    def _first_found(
        self, search_no: int, found: list[int], run: Callable[[int], list[int]]
    ) -> None:
        if search_no != self._search_no:
            return  # a newer search was started meanwhile
        self.model.set_ids(found)
        if found:
            self.table.selectRow(0)
        if len(found) < FIRST_IDS:
            self._found(found)
            return
        self.model.prefetch(0)  # queued before the full search, so the rows come first
        self.count_label.setText(f"At least {plural(len(found), 'record')} found; counting…")
        self.ctx.runner.submit(
            lambda: run(SEARCH_LIMIT),
            lambda everything: self._all_found(search_no, everything),
            self._failed,
        )

    def _all_found(self, search_no: int, found: list[int]) -> None:
        if search_no != self._search_no:
            return
        self.model.extend_ids(found)
        self.table.doItemsLayout()  # the scroll bar spans the whole list at once
        self._found(found)

    def _found(self, found: list[int]) -> None:
        more = f" (the first {SEARCH_LIMIT:,})" if len(found) >= SEARCH_LIMIT else ""
        self.count_label.setText(
            f"{plural(len(found), 'record')} found{more}." if found else "No records match."
        )
        if found and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.searched.emit(len(found))

    def _failed(self, exc: BaseException) -> None:
        message = (
            str(exc)
            if isinstance(exc, ConsoleError)
            else f"The search failed ({type(exc).__name__})."
        )
        self.count_label.setText(message)
        self.searched.emit(-1)

    # -- person -----------------------------------------------------------------------------
    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _selection_changed(self, *_args: Any) -> None:
        row = self.selected_row()
        self.find_button.setEnabled(row is not None and self.model.loaded_row(row) is not None)

    def find_person(self, _index: QModelIndex | None = None) -> None:
        row = self.selected_row()
        if row is None:
            return
        rec = self.model.loaded_row(row)
        if rec is None:
            return
        strong = [(k, v) for k, v in rec.identifiers if ids.is_strong(k)]
        pairs = strong or list(rec.identifiers)
        if not pairs:
            Ask.info(
                self,
                "Find this person",
                "This record holds no identifier (e-mail, phone, id) to look for; search "
                "for the person's name or type an identifier below.",
            )
            return
        self.subject.find_pairs(pairs)

    # -- export -----------------------------------------------------------------------------
    def _source_name(self) -> str | None:
        source_id = self.source_box.currentData()
        return None if source_id is None else self._source_names.get(source_id)

    def export(self) -> None:
        if not self.can_export:
            return
        self.exporter.start(
            "records",
            str(self.format_box.currentData()),
            reports.ReportParams(
                query=self.search_edit.text().strip() or None,
                source=self._source_name(),
                category=self.category_box.currentData(),
            ),
        )
