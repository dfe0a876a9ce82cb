"""Legal page: the register (soonest deadline first, filters by type, status and country), the
selected request's detail, and the intake of new requests."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.legal import ProcessType
from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.services.legal import holds as legal_holds
from console.services.legal import intake as legal
from console.services.legal import read as legal_read
from console.services.legal.model import LegalDetail, LegalFilter
from console.ui import theme
from console.ui.export_job import ExportControl
from console.ui.pages.base import Page, UiContext, heading
from console.ui.pages.legal_detail import LegalDetailView
from console.ui.pages.legal_intake_dialog import LegalIntakeDialog
from console.ui.pages.legal_models import LegalTableModel
from console.ui.plain import plain_label
from console.ui.widgets import ChipDelegate, empty_state, fit_columns
from console.wording import plural

REMIND_DAYS = 14


class LegalPage(Page):
    title = "Legal"
    list_loaded = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Legal and law-enforcement requests"), 1)
        layout.addLayout(top)
        self.reminder_label = plain_label("")
        self.reminder_label.setObjectName("hold_reminders")
        theme.set_role(self.reminder_label, "warn")
        layout.addWidget(self.reminder_label)
        filters = QHBoxLayout()
        self.type_box = QComboBox()
        self.type_box.setAccessibleName("Filter by process type")
        self.type_box.addItem("All types", None)
        for p in ProcessType:
            self.type_box.addItem(p.label, p.value)
        self.status_box = QComboBox()
        self.status_box.setAccessibleName("Filter by status")
        self.status_box.addItem("All statuses", None)
        for st in LegalStatus:
            self.status_box.addItem(st.label, st.value)
        self.country_box = QComboBox()
        self.country_box.setAccessibleName("Filter by country")
        self.country_box.addItem("All countries", None)
        self.new_button = QPushButton("&New request…")
        self.new_button.setEnabled(ctx.actor.can(Permission.MANAGE_LEGAL))
        for label, w in (
            ("Type", self.type_box),
            ("Status", self.status_box),
            ("Country", self.country_box),
        ):
            filters.addWidget(plain_label(label))
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(10)
            filters.addWidget(w)
        filters.addStretch(1)
        top.addWidget(self.new_button)
        self.export = ExportControl(ctx, "legal-register")
        top.addWidget(self.export)
        layout.addLayout(filters)

        self.model = LegalTableModel(ctx)
        self.table = QTableView()
        self.table.setAccessibleName("Legal requests")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        fit_columns(self.table, stretch=3)  # the agency takes the room, not the NDO flag
        self.table.horizontalHeader().setMinimumSectionSize(6 * theme.SPACE)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        chips = ChipDelegate(self.table)
        self.table.setItemDelegateForColumn(2, chips)
        self.table.setItemDelegateForColumn(6, chips)
        self.empty = empty_state(
            self.table,
            "No legal requests match. Choose All in the filters above, or log one with New request….",
        )
        self.detail = LegalDetailView(ctx)
        # Register above, detail below: the detail's tabs keep the page's full width at 1024 px.
        split = QSplitter(Qt.Orientation.Vertical)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.table)
        self.count_label = plain_label("")
        lv.addWidget(self.count_label)
        split.addWidget(left)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 500])
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        self.error_label = plain_label("")
        theme.set_role(self.error_label, "error")
        layout.addWidget(self.error_label)

        for box in (self.type_box, self.status_box, self.country_box):
            box.currentIndexChanged.connect(self.refresh)
        self.new_button.clicked.connect(self.new_request)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.detail.changed.connect(self.refresh)
        self._select_after_load: int | None = None

    def _filter(self) -> LegalFilter:
        return LegalFilter(
            process_type=self.type_box.currentData(),
            status=self.status_box.currentData(),
            country=self.country_box.currentData(),
        )

    def refresh(self) -> None:
        f = self._filter()
        db, actor = self.ctx.db, self.ctx.actor
        self.ctx.runner.submit(
            lambda: (
                legal_read.request_ids(db, actor, f),
                legal_read.countries(db, actor),
                legal_holds.holds_expiring(db, actor, REMIND_DAYS),
            ),
            self._loaded,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.error_label.setText(str(exc))

    def _loaded(self, result: tuple[list[int], list[str], list[Any]]) -> None:
        ids, countries, expiring = result
        current = self.country_box.currentData()
        self.country_box.blockSignals(True)
        self.country_box.clear()
        self.country_box.addItem("All countries", None)
        for c in countries:
            self.country_box.addItem(c, c)
        self.country_box.setCurrentIndex(max(self.country_box.findData(current), 0))
        self.country_box.blockSignals(False)
        selected = self.detail.detail.id if self.detail.detail else None
        self.model.set_ids(ids)
        # The list is short (hundreds at most): fit the columns to what they hold.
        for col in range(self.model.columnCount()):
            if col != 3:
                self.table.resizeColumnToContents(col)
        self.count_label.setText(plural(len(ids), "request"))
        self.reminder_label.setText(
            "; ".join(f"Hold {h.ref} ({h.request_ref}) ends {h.until}" for h in expiring)
        )
        wanted = self._select_after_load or selected
        self._select_after_load = None
        row = self.model.row_of(wanted) if wanted is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        self.list_loaded.emit()

    def _row_changed(self, current: Any, _previous: Any) -> None:
        request_id = self.model.request_id(current.row())
        if request_id is not None and (
            self.detail.detail is None or self.detail.detail.id != request_id
        ):
            self.detail.load(request_id)

    def open_request(self, request_id: int) -> None:
        """Show one matter (from My work): selected in the list once it has loaded."""
        self._select_after_load = request_id
        self.detail.load(request_id)

    def new_request(self) -> None:
        answer = LegalIntakeDialog.ask(self)
        if answer is None:
            return
        intake, document = answer
        db, actor = self.ctx.db, self.ctx.actor

        def done(detail: LegalDetail) -> None:
            self.status_message.emit(f"{detail.summary.ref} logged.")
            self._select_after_load = detail.id
            self.refresh()

        self.ctx.runner.submit(
            lambda: legal.create_request(db, actor, intake, document=document), done, self._failed
        )
