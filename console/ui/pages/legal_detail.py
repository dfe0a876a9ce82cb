"""One legal request: the document, review and decision, holds, NDO and notice, production,
and the timeline. Every action runs through the background runner; errors show in a label."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import labels
from console.domain.legal import Decision, NoticeDecision, ProcessType
from console.domain.permissions import Permission
from console.services.legal import disclosures as legal_disclosures
from console.services.legal import documents as legal_documents
from console.services.legal import holds as legal_holds
from console.services.legal import intake as legal
from console.services.legal import presenter
from console.services.legal import production as legal_production
from console.services.legal import review as legal_review
from console.services.legal import scope as legal_scope
from console.services.legal.model import LegalDetail
from console.ui import theme
from console.ui.pages.base import UiContext
from console.ui.pages.legal_production_tab import ProductionTab
from console.ui.plain import plain_label
from console.ui.text import day, from_qdate
from console.ui.text import moment as text_moment
from console.ui.widgets import empty_state, scrolled


class LegalDetailView(ProductionTab, QWidget):
    changed = Signal()  # something was saved: the list should reload
    loaded = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.detail: LegalDetail | None = None
        layout = QVBoxLayout(self)
        self.header = QLabel("Choose a request.")
        self.header.setObjectName("legal_header")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.error_label = plain_label("")
        self.error_label.setObjectName("legal_error")
        theme.set_role(self.error_label, "error")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self._build_request_tab()
        self._build_review_tab()
        self._build_hold_tab()
        self._build_notice_tab()
        self._build_production_tab()
        self.timeline_list = QListWidget()
        self.timeline_list.setAccessibleName("Timeline")
        self.tabs.addTab(self.timeline_list, "&Timeline")
        self.setEnabled(False)

    # -- building ---------------------------------------------------------------------------
    def _build_request_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.facts_label = plain_label("")
        self.facts_label.setWordWrap(True)
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.facts_label)
        self.documents_list = QListWidget()
        self.documents_list.setAccessibleName("Documents")
        v.addWidget(self.documents_list)
        empty_state(self.documents_list, "No documents were attached when the request was logged.")
        self.check_document_button = QPushButton("Check the document's SHA-256")
        self.check_document_button.clicked.connect(self.check_document)
        self.document_label = plain_label("")
        v.addWidget(self.check_document_button)
        v.addWidget(self.document_label)
        self.tabs.addTab(scrolled(page), "&Request")

    def _build_review_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        row = QHBoxLayout()
        self.counsel_label = plain_label("")
        self.assign_button = QPushButton("Assign &me as counsel")
        self.assign_button.clicked.connect(self.assign_me)
        row.addWidget(self.counsel_label, 1)
        row.addWidget(self.assign_button)
        v.addLayout(row)
        v.addWidget(plain_label("Legal-sufficiency checklist"))
        self.checklist = QListWidget()
        self.checklist.setAccessibleName("Legal-sufficiency checklist")
        self.checklist.itemChanged.connect(self._check_changed)
        v.addWidget(self.checklist)
        self.decided_label = plain_label("")
        self.decided_label.setObjectName("recorded_decision")
        self.decided_label.setWordWrap(True)
        self.decided_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.decided_label)
        form = QFormLayout()
        self.decision_box = QComboBox()
        self.decision_box.setAccessibleName("Decision")
        # Nothing is preselected: the option that discloses most must be a choice, not a default.
        self.decision_box.addItem("(choose a decision)", None)
        for d in Decision:
            self.decision_box.addItem(d.label, d.value)
        self.decision_box.currentIndexChanged.connect(self._decision_ready)
        self.reasons_edit = QPlainTextEdit()
        self.reasons_edit.setAccessibleName("Reasons")
        self.reasons_edit.setMaximumHeight(70)
        self.justification_edit = QLineEdit()
        self.justification_edit.setAccessibleName("Emergency justification")
        self.justification_edit.setPlaceholderText("Emergency: why is there a danger to life?")
        form.addRow("Decision", self.decision_box)
        form.addRow("Reasons", self.reasons_edit)
        form.addRow("Emergency", self.justification_edit)
        v.addLayout(form)
        row = QHBoxLayout()
        self.decide_button = QPushButton("&Decide")
        self.decide_button.clicked.connect(self.decide)
        self.emergency_button = QPushButton("Emergency &fast path")
        self.emergency_button.clicked.connect(self.emergency_decide)
        row.addWidget(self.decide_button)
        row.addWidget(self.emergency_button)
        v.addLayout(row)
        self.tabs.addTab(scrolled(page), "Re&view")

    def _build_hold_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.holds_list = QListWidget()
        self.holds_list.setAccessibleName("Legal holds")
        v.addWidget(self.holds_list)
        empty_state(
            self.holds_list,
            "No legal hold on this request. Place one below to keep its records from erasure.",
        )
        row = QHBoxLayout()
        self.hold_days = QSpinBox()
        self.hold_days.setAccessibleName("Hold for")
        self.hold_days.setRange(1, 3650)
        self.hold_days.setValue(90)
        self.hold_days.setSuffix(" days")
        self.place_hold_button = QPushButton("&Place hold")
        self.place_hold_button.clicked.connect(self.place_hold)
        self.renew_button = QPushButton("Re&new selected")
        self.renew_button.clicked.connect(self.renew_hold)
        for w in (self.hold_days, self.place_hold_button, self.renew_button):
            row.addWidget(w)
        v.addLayout(row)
        row = QHBoxLayout()
        self.release_reason = QLineEdit()
        self.release_reason.setAccessibleName("Why release the selected hold")
        self.release_reason.setPlaceholderText("Why release the selected hold?")
        self.release_button = QPushButton("Re&lease selected")
        self.release_button.clicked.connect(self.release_hold)
        row.addWidget(self.release_reason, 1)
        row.addWidget(self.release_button)
        v.addLayout(row)
        self.tabs.addTab(scrolled(page), "&Hold")

    def _build_notice_tab(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.ndo_check = QCheckBox("Non-disclosure order in force")
        self.ndo_expiry_check = QCheckBox("Expires on")
        self.ndo_until = QDateEdit(QDate.currentDate().addYears(1))
        self.ndo_until.setAccessibleName("Non-disclosure order expires on")
        self.ndo_until.setDisplayFormat("yyyy-MM-dd")
        self.notice_box = QComboBox()
        self.notice_box.setAccessibleName("Notice to the user")
        self.notice_box.addItem("(not decided)", None)
        for n in NoticeDecision:
            self.notice_box.addItem(n.label, n.value)
        self.delay_until = QDateEdit(QDate.currentDate().addYears(1))
        self.delay_until.setAccessibleName("Delay the notice until")
        self.delay_until.setDisplayFormat("yyyy-MM-dd")
        self.save_notice_button = QPushButton("&Save NDO and notice")
        self.save_notice_button.clicked.connect(self.save_notice)
        self.notice_given_button = QPushButton("User was notified &now")
        self.notice_given_button.clicked.connect(self.notice_given)
        self.notice_label = plain_label("")
        form.addRow(self.ndo_check)
        form.addRow(self.ndo_expiry_check, self.ndo_until)
        form.addRow("Notice to the user", self.notice_box)
        form.addRow("Delay until", self.delay_until)
        form.addRow(self.save_notice_button, self.notice_given_button)
        form.addRow(self.notice_label)
        self.tabs.addTab(scrolled(page), "&NDO && notice")

    # -- loading ----------------------------------------------------------------------------
    def _run(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.error_label.setText("")
        self.ctx.runner.submit(fn, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.error_label.setText(str(exc))

    def load(self, request_id: int) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def fetch() -> tuple[Any, ...]:
            detail = legal.get(db, actor, request_id)
            holds = legal_holds.holds_for(db, actor, request_id)
            log = legal_disclosures.disclosure_log(db, actor, request_id=request_id)
            events = legal_review.timeline(db, actor, request_id)
            candidates: list[Any] = []
            if actor.can(Permission.PRODUCE_LEGAL) and detail.identifiers:
                candidates = legal_production.candidates(db, actor, request_id)
            return detail, holds, log, events, candidates

        self._run(fetch, self._show)

    def reload(self, _result: object = None) -> None:
        if self.detail is not None:
            self.load(self.detail.id)
        self.changed.emit()

    def _show(self, result: tuple[Any, ...]) -> None:
        detail, holds, log, events, candidates = result
        self.detail = detail
        s = detail.summary
        self.setEnabled(True)
        self.header.setText(
            f"<b>{s.ref}</b> — {s.process_type.label} — {s.status.label} — "
            f"due {text_moment(s.due_at)}" + (" — <b>NDO</b>" if s.ndo else "")
        )
        self.facts_label.setText(presenter.facts(detail))
        self.documents_list.clear()
        for d in detail.documents:
            item = QListWidgetItem(f"{d.filename} — {d.size:,} bytes — SHA-256 {d.sha256[:16]}…")
            item.setData(Qt.ItemDataRole.UserRole, d.id)
            self.documents_list.addItem(item)
        self.counsel_label.setText(f"Counsel: {s.assigned_to or '(none)'}")
        self.checklist.blockSignals(True)
        self.checklist.clear()
        for c in detail.checklist:
            item = QListWidgetItem(c.label)
            item.setData(Qt.ItemDataRole.UserRole, c.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if c.checked else Qt.CheckState.Unchecked)
            self.checklist.addItem(item)
        self.checklist.blockSignals(False)
        self._show_decision(detail)
        may_release = self.ctx.actor.can(Permission.RELEASE_HOLDS)
        self.release_button.setEnabled(may_release)
        self.release_reason.setEnabled(may_release)
        self.release_button.setToolTip(
            ""
            if may_release
            else "Releasing a legal hold is a legal decision: only a legal reviewer may."
        )
        self.holds_list.clear()
        for h in holds:
            item = QListWidgetItem(
                presenter.hold_line(h.ref, h.record_count, day(h.until), h.active, h.released_by)
            )
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            self.holds_list.addItem(item)
        self.ndo_check.setChecked(s.ndo)
        self.ndo_expiry_check.setChecked(detail.ndo_until is not None)
        if detail.ndo_until:
            self.ndo_until.setDate(
                QDate(detail.ndo_until.year, detail.ndo_until.month, detail.ndo_until.day)
            )
        self.notice_box.setCurrentIndex(max(self.notice_box.findData(detail.notice_decision), 0))
        given = detail.notice_given_at
        self.notice_label.setText(f"Notice given {text_moment(given)}" if given else "")
        self.candidates.clear()
        for r in candidates:
            item = QListWidgetItem(presenter.candidate_line(r))
            item.setData(Qt.ItemDataRole.UserRole, r.record_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, r.status)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            in_scope = r.status == legal_scope.IN_SCOPE
            item.setCheckState(Qt.CheckState.Checked if in_scope else Qt.CheckState.Unchecked)
            self.candidates.addItem(item)
        scope = legal_scope.scope_of(detail)
        self.scope_categories.setText(labels.labels("category", list(scope.categories)))
        self.scope_from.setText(scope.data_from.isoformat() if scope.data_from else "")
        self.scope_to.setText(scope.data_to.isoformat() if scope.data_to else "")
        self.scope_label.setText(presenter.scope_line(s.ref, scope))
        self.disclosures_list.clear()
        for x in log:
            self.disclosures_list.addItem(
                f"{day(x.disclosed_at)} to {x.recipient} by {x.method}: {x.what}"
            )
        self.timeline_list.clear()
        for e in events:
            self.timeline_list.addItem(f"{text_moment(e.at)}  {e.text}")
        self.loaded.emit()

    def _show_decision(self, detail: LegalDetail) -> None:
        """A recorded decision is shown as it was made and cannot be made again; an open request
        starts with no decision chosen."""
        s = detail.summary
        decided = s.decision is not None
        self.decision_box.blockSignals(True)
        self.decision_box.setCurrentIndex(
            max(self.decision_box.findData(s.decision), 0) if decided else 0
        )
        self.decision_box.blockSignals(False)
        self.decision_box.setEnabled(not decided)
        self.reasons_edit.setPlainText(detail.decision_reasons if decided else "")
        self.reasons_edit.setReadOnly(decided)
        self.justification_edit.setText(detail.emergency_justification if decided else "")
        self.justification_edit.setReadOnly(decided)
        self.decided_label.setText(presenter.decided_line(detail, text_moment))
        self._decision_ready()

    def _decision_ready(self, _index: int = 0) -> None:
        s = self.detail.summary if self.detail is not None else None
        open_ = s is not None and s.decision is None
        chosen = self.decision_box.currentData() is not None
        self.decide_button.setEnabled(open_ and chosen)
        self.emergency_button.setEnabled(
            open_ and chosen and s is not None and s.process_type is ProcessType.EMERGENCY
        )

    # -- actions ----------------------------------------------------------------------------
    def _request_id(self) -> int:
        assert self.detail is not None
        return self.detail.id

    def check_document(self) -> None:
        item = self.documents_list.currentItem() or self.documents_list.item(0)
        if item is None:
            return
        doc_id = int(item.data(Qt.ItemDataRole.UserRole))
        self._run(
            lambda: legal_documents.read_document(self.ctx.db, self.ctx.actor, doc_id),
            lambda r: self.document_label.setText(
                f"{r[0].filename}: SHA-256 verified ({r[0].sha256})"
            ),
        )

    def assign_me(self) -> None:
        rid = self._request_id()
        self._run(
            lambda: legal_review.assign(self.ctx.db, self.ctx.actor, rid, self.ctx.actor.name),
            self.reload,
        )

    def _check_changed(self, item: QListWidgetItem) -> None:
        rid, key = self._request_id(), str(item.data(Qt.ItemDataRole.UserRole))
        checked = item.checkState() == Qt.CheckState.Checked
        self._run(
            lambda: legal_review.set_checklist(self.ctx.db, self.ctx.actor, rid, key, checked),
            lambda _r: None,
        )

    def decide(self) -> None:
        rid, version = self._request_id(), self.detail.version if self.detail else None
        choice, reasons = str(self.decision_box.currentData()), self.reasons_edit.toPlainText()
        self._run(
            lambda: legal_review.decide(
                self.ctx.db, self.ctx.actor, rid, choice, reasons, expected_version=version
            ),
            self.reload,
        )

    def emergency_decide(self) -> None:
        rid = self._request_id()
        choice, why = str(self.decision_box.currentData()), self.justification_edit.text()
        reasons = self.reasons_edit.toPlainText()
        self._run(
            lambda: legal_review.emergency_decide(
                self.ctx.db, self.ctx.actor, rid, choice, why, reasons
            ),
            self.reload,
        )

    def _selected_hold(self) -> int | None:
        item = self.holds_list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def place_hold(self) -> None:
        rid, days = self._request_id(), self.hold_days.value()
        self._run(
            lambda: legal_holds.place_hold(self.ctx.db, self.ctx.actor, rid, days=days), self.reload
        )

    def renew_hold(self) -> None:
        hold, days = self._selected_hold(), self.hold_days.value()
        if hold is not None:
            self._run(
                lambda: legal_holds.renew_hold(self.ctx.db, self.ctx.actor, hold, days=days),
                self.reload,
            )

    def release_hold(self) -> None:
        hold, reason = self._selected_hold(), self.release_reason.text()
        if hold is not None:
            self._run(
                lambda: legal_holds.release_hold(self.ctx.db, self.ctx.actor, hold, reason),
                self.reload,
            )

    def save_notice(self) -> None:
        rid = self._request_id()
        ndo = self.ndo_check.isChecked()
        until = (
            from_qdate(self.ndo_until.date()) if ndo and self.ndo_expiry_check.isChecked() else None
        )
        notice = self.notice_box.currentData()
        delay = from_qdate(self.delay_until.date()) if notice == "delay_until" else None
        self._run(
            lambda: legal_review.set_notice(
                self.ctx.db,
                self.ctx.actor,
                rid,
                ndo=ndo,
                ndo_until=until,
                notice=notice,
                delay_until=delay,
            ),
            self.reload,
        )

    def notice_given(self) -> None:
        rid = self._request_id()
        self._run(
            lambda: legal_review.record_notice_given(self.ctx.db, self.ctx.actor, rid), self.reload
        )
