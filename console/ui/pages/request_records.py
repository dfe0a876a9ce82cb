"""The Records tab of a request: each attached record's link, "via" and review state, and the
review itself — confirm or exclude one record or a selection, redact a field for the package.

A possible match (reached only by a name, address, IP or order id) waits, highlighted, until
someone confirms it with a note or excludes it with a reason; fulfilment waits for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Permission
from console.services.records import search as records
from console.services.requests import redaction, review
from console.services.requests.model import AttachedRecord, RequestView
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext

COLUMNS = [
    "Record",
    "Source",
    "Row",
    "Link",
    "Via",
    "Review",
    "Note or reason",
    "Decided by",
    "Outcome",
]
AWAITING_BRUSH = QBrush(QColor("#fff3cd"))  # the amber of "needs a person": never a final state
EXCLUDED_BRUSH = QBrush(QColor("#6b6b6b"))


class ReviewAsk:
    """The questions the Records tab asks; tests replace these."""

    @staticmethod
    def note(parent: QWidget | None, title: str, label: str) -> str | None:
        """Text (possibly empty) or None when cancelled."""
        value, ok = QInputDialog.getText(parent, title, label)
        return value.strip() if ok else None


class RecordsTab(QWidget):
    """Passive about the request it shows: the detail page hands it the view and a runner."""

    def __init__(
        self,
        ctx: UiContext,
        run: Callable[[Callable[[], Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._run = run
        self.view: RequestView | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.awaiting_label = QLabel("")
        self.awaiting_label.setObjectName("awaiting")
        self.awaiting_label.setWordWrap(True)
        layout.addWidget(self.awaiting_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Records of this request")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("confirm", "&Confirm…", self.confirm),
            ("exclude", "&Exclude…", self.exclude),
            ("redact", "Redact f&ield…", self.redact),
        ):
            b = QPushButton(label)
            b.setObjectName(key)
            b.clicked.connect(slot)
            b.setEnabled(False)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)

    def show_view(self, v: RequestView) -> None:
        self.view = v
        self.table.setRowCount(len(v.records))
        for r, rec in enumerate(v.records):
            values = [
                rec.record_id,
                rec.source,
                rec.row,
                review.LINK_LABELS.get(rec.link, rec.link),
                review.via_text(rec.via),
                review.REVIEW_LABELS.get(rec.review, rec.review),
                rec.review_note,
                rec.reviewed_by or ("strong link" if rec.review == review.CONFIRMED else ""),
                rec.outcome or "",
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem("" if value is None else str(value))
                if rec.review == review.AWAITING:
                    item.setBackground(AWAITING_BRUSH)
                elif rec.review == review.EXCLUDED:
                    item.setForeground(EXCLUDED_BRUSH)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        waiting = self.awaiting(v)
        self.awaiting_label.setText(
            f"{waiting} record{' awaits' if waiting == 1 else 's await'} review: possible "
            "matches that may be someone else's data. Confirm each with a note saying why it is "
            "the requester's, or exclude it with a reason, before fulfilling."
            if waiting
            else ""
        )
        self._enable()

    @staticmethod
    def awaiting(v: RequestView) -> int:
        return sum(1 for r in v.records if r.review == review.AWAITING)

    def selected(self) -> list[AttachedRecord]:
        if self.view is None:
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.view.records[r] for r in rows if r < len(self.view.records)]

    def _enable(self) -> None:
        v = self.view
        working = v is not None and v.status in ("in_progress", "review")
        can = working and self.ctx.actor.can(Permission.MANAGE_DSR)
        chosen = self.selected()
        final = any(r.outcome in ("erased", "corrected") for r in chosen)
        self.buttons["confirm"].setEnabled(can and bool(chosen) and not final)
        self.buttons["exclude"].setEnabled(can and bool(chosen) and not final)
        self.buttons["redact"].setEnabled(
            can and len(chosen) == 1 and chosen[0].review == review.CONFIRMED
        )

    # -- actions ----------------------------------------------------------------------------
    def confirm(self) -> None:
        v, chosen = self.view, self.selected()
        if v is None or not chosen:
            return
        possible = [r for r in chosen if r.link != "strong" or r.review == review.EXCLUDED]
        label = (
            f"{len(possible)} of these {'is a possible match' if len(possible) == 1 else 'are possible matches'}"
            " (or were excluded): why are they the requester's data?"
            if possible
            else "A note for the record (optional):"
        )
        note = ReviewAsk.note(self, "Confirm records", label)
        if note is None:
            return
        ids = [r.record_id for r in chosen]
        self._run(
            lambda: review.confirm(
                self.ctx.db, self.ctx.actor, v.id, ids, note, expected_version=v.version
            )
        )

    def exclude(self) -> None:
        v, chosen = self.view, self.selected()
        if v is None or not chosen:
            return
        reason = ReviewAsk.note(
            self,
            "Exclude records",
            "Why are these not to be acted on (e.g. another person's data)?",
        )
        if reason is None:
            return
        ids = [r.record_id for r in chosen]
        self._run(
            lambda: review.exclude(
                self.ctx.db, self.ctx.actor, v.id, ids, reason, expected_version=v.version
            )
        )

    def redact(self) -> None:
        v, chosen = self.view, self.selected()
        if v is None or len(chosen) != 1:
            return
        record_id = chosen[0].record_id

        def loaded(rows: list[records.RecordRow]) -> None:
            fields = [str(c) for c, value in (rows[0].values if rows else {}).items() if value]
            if not fields:
                Ask.error(self, "Redact", "This record has no field to redact.")
                return
            column = Ask.choose(
                self, "Redact a field", "Leave which field out of the package?", fields
            )
            if column is None:
                return
            reason = ReviewAsk.note(
                self,
                "Redact a field",
                "Why (the requester reads this, e.g. it names someone else)?",
            )
            if reason is None:
                return
            self._run(
                lambda: redaction.redact(
                    self.ctx.db, self.ctx.actor, v.id, record_id, column, reason
                )
            )

        self.ctx.runner.submit(
            lambda: records.records_by_id(self.ctx.db, self.ctx.actor, [record_id]),
            loaded,
            lambda exc: Ask.error(self, "Redact", str(exc)),
        )
