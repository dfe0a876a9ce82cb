"""Audit page: the trail (filterable, lazily loaded), the chain head, and Verify with its result."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from console.domain import labels
from console.domain.audit_text import EventText, Namer
from console.domain.auditchain import VerifyResult
from console.services import audit
from console.services.reporting.spec import ReportParams
from console.ui.export_job import ExportRunner
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label, tip
from console.ui.text import moment as text_moment
from console.ui.widgets import empty_state
from console.wording import plural

_Index = QModelIndex | QPersistentModelIndex
_PAGE = 200


class AuditModel(QAbstractTableModel):
    """Holds only the matching sequence numbers; rows are fetched for what is on screen."""

    COLUMNS = ("#", "When (UTC)", "User", "What happened", "Details")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._seqs: list[int] = []
        self._cache: dict[int, audit.EventRow] = {}
        self._told: dict[int, EventText] = {}
        self.namer: Namer | None = None

    def set_seqs(self, seqs: list[int], namer: Namer | None = None) -> None:
        self.beginResetModel()
        self._seqs = seqs
        self._cache.clear()
        self._told.clear()
        self.namer = namer
        self.endResetModel()

    def told(self, row: int) -> EventText | None:
        """Row `row`'s event as a sentence and labelled details."""
        ev = self._row(row)
        if ev is None:
            return None
        if ev.seq not in self._told:
            if len(self._told) > 20 * _PAGE:
                self._told.clear()
            self._told[ev.seq] = audit.describe_event(ev, self.namer)
        return self._told[ev.seq]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._seqs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def _row(self, row: int) -> audit.EventRow | None:
        seq = self._seqs[row]
        if seq not in self._cache:
            start = (row // _PAGE) * _PAGE
            if len(self._cache) > 20 * _PAGE:
                self._cache.clear()
            for ev in audit.events_by_seq(
                self.ctx.db, self.ctx.actor, self._seqs[start : start + _PAGE]
            ):
                self._cache[ev.seq] = ev
        return self._cache.get(seq)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        ev = self._row(index.row())
        if ev is None:
            return None
        col = index.column()
        if col == 0:
            return ev.seq
        if col == 1:
            return text_moment(datetime.fromisoformat(ev.at))
        if col == 2:
            return ev.actor
        told = self.told(index.row())
        if told is None:
            return None
        if col == 3:
            text = told.sentence
        else:
            text = told.details_text()
            if role == Qt.ItemDataRole.ToolTipRole:
                return tip("\n".join(f"{name}: {value}" for name, value in told.fields))
        return tip(text) if role == Qt.ItemDataRole.ToolTipRole else text[:300]


def _as_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class AuditPage(Page):
    title = "Audit"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Audit trail"))
        self.head_label = plain_label("")
        self.head_label.setObjectName("head")
        self.head_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.head_label)

        filters = QHBoxLayout()
        self.actor_box = QComboBox()
        self.actor_box.setObjectName("actor")
        self.actor_box.setAccessibleName("Filter by user")
        self.action_box = QComboBox()
        # Long action names are read in the open list; the closed box keeps the row narrow.
        self.action_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.action_box.setMinimumContentsLength(16)
        self.action_box.setObjectName("action")
        self.action_box.setAccessibleName("Filter by what happened")
        self.action_box.addItem("Everything", "")
        for prefix, group in labels.ACTION_GROUPS:
            self.action_box.addItem(group, prefix)
            for code, text in sorted(labels.ACTIONS.items(), key=lambda kv: kv[1]):
                if code == prefix or code.startswith(prefix + "."):
                    self.action_box.addItem("    " + text, code)
        self.since_edit = QDateEdit()
        self.since_edit.setAccessibleName("From")
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        self.since_edit.setDate(QDate(2000, 1, 1))
        self.until_edit = QDateEdit()
        self.until_edit.setAccessibleName("To")
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_edit.setDate(QDate.currentDate())
        self.apply_button = QPushButton("&Filter")
        for label, w in (
            ("User", self.actor_box),
            ("What", self.action_box),
            ("From", self.since_edit),
            ("To", self.until_edit),
        ):
            filters.addWidget(plain_label(label))
            filters.addWidget(w)
        filters.addWidget(self.apply_button)
        layout.addLayout(filters)

        self.model = AuditModel(ctx)
        self.table = QTableView()
        self.table.setAccessibleName("Audit events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        empty_state(
            self.table, "No events match. Widen the dates or clear the user and action filters."
        )
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.count_label = plain_label("")
        bottom.addWidget(self.count_label, 1)
        self.result_label = plain_label("")
        self.result_label.setObjectName("verify_result")
        self.result_label.setWordWrap(True)
        bottom.addWidget(self.result_label, 2)
        self.verify_button = QPushButton("&Verify chain")
        self.verify_button.setObjectName("verify")
        bottom.addWidget(self.verify_button)
        self.export_button = QPushButton("E&xport…")
        self.export_button.setToolTip("Export the events shown as a PDF or XLSX report")
        bottom.addWidget(self.export_button)
        self.format_box = QComboBox()
        self.format_box.addItem("PDF", "pdf")
        self.format_box.addItem("XLSX", "xlsx")
        bottom.addWidget(self.format_box)
        self.exporter = ExportRunner(ctx, self)
        self.export_button.clicked.connect(self.export)
        layout.addLayout(bottom)

        self.apply_button.clicked.connect(self.refresh)
        self.action_box.activated.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.last_result: VerifyResult | None = None

    def _filter(self) -> audit.EventFilter:
        since = _as_date(self.since_edit.date())
        until = _as_date(self.until_edit.date())
        actor = self.actor_box.currentData()
        return audit.EventFilter(
            since=datetime.combine(since, time.min, UTC),
            until=datetime.combine(until, time.max, UTC),
            actor=actor or None,
            action_prefix=self.action_box.currentData() or None,
        )

    def refresh(self) -> None:
        self.until_edit.setDate(max(self.until_edit.date(), QDate.currentDate()))
        f = self._filter()
        self.ctx.runner.submit(
            lambda: (
                audit.event_seqs(self.ctx.db, self.ctx.actor, f),
                audit.head(self.ctx.db, self.ctx.actor),
                audit.actors(self.ctx.db, self.ctx.actor),
                audit.object_namer(self.ctx.db, self.ctx.actor),
            ),
            self._loaded,
        )

    def _loaded(self, result: tuple[list[int], Any, list[str], Namer]) -> None:
        seqs, head, actors, namer = result
        current = self.actor_box.currentData()
        self.actor_box.blockSignals(True)
        self.actor_box.clear()
        self.actor_box.addItem("All users", "")
        for name in actors:
            self.actor_box.addItem(name, name)
        idx = self.actor_box.findData(current)
        self.actor_box.setCurrentIndex(max(idx, 0))
        self.actor_box.blockSignals(False)
        self.model.set_seqs(seqs, namer)
        for col in range(4):
            self.table.resizeColumnToContents(col)
        self.count_label.setText(f"{plural(len(seqs), 'event')} shown")
        self.head_label.setText(
            f"Chain head (write it down to pin the trail): {head}"
            if head
            else "The trail is empty."
        )

    def export(self) -> None:
        """The audit-trail report with the filters shown on the page."""
        params = ReportParams(
            since=_as_date(self.since_edit.date()),
            until=_as_date(self.until_edit.date()),
            actor_name=self.actor_box.currentData() or None,
            action=self.action_box.currentData() or None,
        )
        self.exporter.start("audit-trail", str(self.format_box.currentData()), params)

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.result_label.setText("Verifying…")
        self.ctx.runner.submit(
            lambda: audit.verify(self.ctx.db, self.ctx.actor), self._verified, self._verify_failed
        )

    def _verified(self, result: VerifyResult) -> None:
        self.last_result = result
        self.verify_button.setEnabled(True)
        colour = "#1b5e20" if result.ok else "#b00020"
        self.result_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.result_label.setText(result.summary())
        self.refresh()

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.result_label.setText(f"Verification could not run: {exc}")
