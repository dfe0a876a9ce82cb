"""Requests page: every data-subject request (lazily loaded, soonest due first, overdue in red),
filters by status, type and law, the New Request dialog, and the selected request in detail."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

from console.domain.permissions import Permission
from console.domain.workflow import DsrStatus
from console.services.requests import lifecycle as dsr
from console.services.requests import metrics as m
from console.ui import theme
from console.ui.dialogs import Ask
from console.ui.export_job import ExportControl
from console.ui.pages.base import Page, UiContext, heading
from console.ui.pages.new_request_dialog import NewRequestDialog
from console.ui.pages.request_detail import RequestDetail
from console.ui.pages.requests_model import RequestsModel
from console.ui.plain import plain_label
from console.ui.text import day
from console.ui.widgets import ChipDelegate, empty_state
from console.wording import plural


def _combo(name: str, everything: str, items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(f"Filter by {name}")
    box.addItem(everything, "")
    for key, label in items.items():
        box.addItem(label, key)
    # A long type name is read in the open list; the closed box keeps the filter row narrow.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(9)
    return box


class RequestsPage(Page):
    title = "Requests"
    ids_loaded = Signal(int)
    created = Signal(object)  # RequestView

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Data-subject requests"), 1)
        self.new_button = QPushButton("&New request…")
        self.new_button.setObjectName("new_request")
        self.new_button.setEnabled(ctx.actor.can(Permission.MANAGE_DSR))
        top.addWidget(self.new_button)
        self.export = ExportControl(ctx, "dsr-register")
        top.addWidget(self.export)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.status_box = _combo("status", "All statuses", {s.value: s.label for s in DsrStatus})
        self.type_box = _combo("type", "All types", dsr.REQUEST_TYPES)
        self.law_box = _combo("law", "All laws", dsr.LAWS)
        self.open_check = QCheckBox("&Open only")
        self.overdue_check = QCheckBox("O&verdue only")
        for w in (self.status_box, self.type_box, self.law_box):
            filters.addWidget(w)
            w.currentIndexChanged.connect(self.refresh)
        for c in (self.open_check, self.overdue_check):
            filters.addWidget(c)
            c.toggled.connect(self.refresh)
        filters.addStretch(1)
        self.count_label = plain_label("")
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.model = RequestsModel(ctx)
        self.table = QTableView()
        self.table.setObjectName("requests")
        self.table.setAccessibleName("Requests")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(5, Qt.SortOrder.AscendingOrder)
        chips = ChipDelegate(self.table)
        self.table.setItemDelegateForColumn(3, chips)
        self.table.setItemDelegateForColumn(6, chips)
        self._size_columns()
        self.empty = empty_state(
            self.table,
            "No requests match. Clear the filters above, or log a request with New request….",
        )
        self.detail = RequestDetail(ctx)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([400, 400])
        layout.addWidget(splitter, 1)

        self.new_button.clicked.connect(self.new_request)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail.changed.connect(lambda _rid: self.model.refresh_rows())

    def _size_columns(self) -> None:
        """Widths from what the columns hold (the rows are fetched lazily, so not measured one by
        one); Type and Assignee share the width left over."""
        fm = self.table.fontMetrics()
        pad = 2 * theme.SPACE
        header = self.table.horizontalHeader()

        def widest(texts: list[str]) -> int:
            return max(fm.horizontalAdvance(t) for t in texts) + pad

        sample_day = day(dt.date(2026, 12, 28))
        widths = {
            0: widest(["Id", "000000"]),
            2: widest(["Law", *dsr.LAWS.values()]),
            3: widest([s.label for s in DsrStatus]) + theme.SPACE,
            4: widest(["Received", sample_day]),
            5: widest(["Due", sample_day]),
            6: widest(["Days left", "365 days overdue"]) + theme.SPACE,
        }
        for col, width in widths.items():
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        widths[7] = widest(["Assignee", "olivia.officer"])
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(7, widths[7])
        # Type: its longest label at least, and whatever width is left over (a narrow window
        # scrolls sideways rather than cutting the type to "…").
        self._type_width = widest(["Type", *dsr.REQUEST_TYPES.values()])
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self._fit_type_column()
        self.table.viewport().installEventFilter(self)

    def _fit_type_column(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != 1)
        header.resizeSection(1, max(self._type_width, self.table.viewport().width() - others))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_type_column()
        return False

    def current_filter(self) -> m.RequestFilter:
        def picked(box: QComboBox) -> tuple[str, ...]:
            return (str(box.currentData()),) if box.currentData() else ()

        return m.RequestFilter(
            statuses=picked(self.status_box),
            types=picked(self.type_box),
            laws=picked(self.law_box),
            open_only=self.open_check.isChecked(),
            overdue_on=self.model.today if self.overdue_check.isChecked() else None,
        )

    def refresh(self) -> None:
        self.model.filter = self.current_filter()
        self.ctx.runner.submit(self.model.load, self._loaded)

    def _loaded(self, loaded: tuple[int, list[int]]) -> None:
        self.model.set_loaded(loaded)
        self.count_label.setText(plural(loaded[0], "request"))
        self.ids_loaded.emit(loaded[0])

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if rows:
            rid = self.model.request_id(min(rows))
            if rid is not None:
                self.detail.load(rid)

    def open_request(self, request_id: int) -> None:
        row = self.model.row_of(request_id)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.detail.load(request_id)

    def new_request(self) -> None:
        intake = NewRequestDialog.ask(self)
        if intake is None:
            return
        self.ctx.runner.submit(
            lambda: dsr.create_request(self.ctx.db, self.ctx.actor, intake),
            self._created,
            lambda exc: Ask.error(self, "New request", str(exc)),
        )

    def _created(self, view: dsr.RequestView) -> None:
        note = f"Request {view.id} logged; due {view.due_on}."
        if view.duplicates:
            note += f" Possible duplicate of request {', '.join(map(str, view.duplicates))}."
            Ask.info(self, "Possible duplicate", note)
        self.status_message.emit(note)
        self.detail.show_view(view)
        self.refresh()
        self.created.emit(view)
