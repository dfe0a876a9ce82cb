"""The legal detail's Production tab: the scope of what may be produced, the records the request
reaches with their place in it, the production itself with its certification, and the disclosure
log. Mixed into LegalDetailView, which loads and shows the request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import labels
from console.services.legal import production as legal_production
from console.services.legal import scope as legal_scope
from console.ui.pages.base import UiContext
from console.ui.plain import plain_label
from console.ui.widgets import empty_state, scrolled
from console.wording import plural


class ProductionTab:
    """The Production tab's widgets and actions (mixed into LegalDetailView)."""

    ctx: UiContext
    tabs: QTabWidget
    error_label: QLabel
    if TYPE_CHECKING:  # LegalDetailView's own

        def _run(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None: ...

        def reload(self, _result: object = None) -> None: ...

        def _request_id(self) -> int: ...

    def _parent(self) -> QWidget:
        assert isinstance(self, QWidget)  # only ever mixed into the legal detail
        return self

    def _build_production_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.scope_label = plain_label("")
        self.scope_label.setObjectName("scope")
        self.scope_label.setWordWrap(True)
        v.addWidget(self.scope_label)
        row = QHBoxLayout()
        self.scope_categories = QLineEdit()
        self.scope_categories.setAccessibleName("Categories sought")
        self.scope_categories.setPlaceholderText("Categories sought, e.g. Email address, Name")
        self.scope_from = QLineEdit()
        self.scope_from.setAccessibleName("Collected from")
        self.scope_from.setPlaceholderText("Collected from YYYY-MM-DD")
        self.scope_to = QLineEdit()
        self.scope_to.setAccessibleName("Collected to")
        self.scope_to.setPlaceholderText("to YYYY-MM-DD")
        self.scope_button = QPushButton("Save &scope")
        self.scope_button.clicked.connect(self.save_scope)
        row.addWidget(self.scope_categories, 2)
        row.addWidget(self.scope_from, 1)
        row.addWidget(self.scope_to, 1)
        row.addWidget(self.scope_button)
        v.addLayout(row)
        explain = plain_label(
            "Records the request's identifiers reach, with their place in its scope. Those in "
            "scope are ticked; ticking a record without a collection time is legal's decision; "
            "ticking one beyond the scope needs the override's reason below."
        )
        explain.setWordWrap(True)
        v.addWidget(explain)
        self.candidates = QListWidget()
        self.candidates.setAccessibleName("Records reached")
        v.addWidget(self.candidates, 1)
        empty_state(
            self.candidates,
            "No records reached yet: the request needs identifiers that match imported records.",
        )
        form = QFormLayout()
        self.override_edit = QLineEdit()
        self.override_edit.setAccessibleName("Override reason")
        self.override_edit.setPlaceholderText("Only to go beyond the scope: why (recorded)")
        self.certifier_edit = QLineEdit()
        self.certifier_edit.setAccessibleName("Certified by")
        self.certifier_edit.setPlaceholderText("The custodian's name (default: you)")
        self.certifier_title_edit = QLineEdit("Custodian of Records")
        self.certifier_title_edit.setAccessibleName("Custodian's title")
        form.addRow("Override reason", self.override_edit)
        form.addRow("Certified by", self.certifier_edit)
        form.addRow("Custodian's title", self.certifier_title_edit)
        v.addLayout(form)
        row = QHBoxLayout()
        self.method_edit = QLineEdit("Secure file transfer")
        self.method_edit.setAccessibleName("Delivered by")
        self.produce_button = QPushButton("&Produce…")
        self.produce_button.clicked.connect(self.produce)
        row.addWidget(plain_label("Delivered by"))
        row.addWidget(self.method_edit, 1)
        row.addWidget(self.produce_button)
        v.addLayout(row)
        self.production_label = plain_label("")
        self.production_label.setObjectName("production_result")
        self.production_label.setWordWrap(True)
        v.addWidget(self.production_label)
        v.addWidget(plain_label("Disclosure log"))
        self.disclosures_list = QListWidget()
        self.disclosures_list.setAccessibleName("Disclosure log")
        v.addWidget(self.disclosures_list, 1)
        empty_state(self.disclosures_list, "Nothing disclosed yet.")
        self.tabs.addTab(scrolled(page), "Pro&duction")

    def save_scope(self) -> None:
        rid = self._request_id()
        # Categories are typed by their labels (or codes): each is stored by its code.
        by_label = {text.lower(): code for code, text in labels.table("category").items()}
        categories = [
            by_label.get(c.strip().lower(), c.strip())
            for c in self.scope_categories.text().split(",")
            if c.strip()
        ]
        try:
            start, end = (
                date.fromisoformat(e.text().strip()) if e.text().strip() else None
                for e in (self.scope_from, self.scope_to)
            )
        except ValueError:
            self.error_label.setText("Scope dates must look like 2025-01-31.")
            return
        self._run(
            lambda: legal_scope.set_scope(
                self.ctx.db,
                self.ctx.actor,
                rid,
                categories=categories,
                data_from=start,
                data_to=end,
            ),
            self.reload,
        )

    @classmethod
    def ask_folder(cls, parent: QWidget | None) -> str:
        """Where to write the production (tests replace it)."""
        return QFileDialog.getExistingDirectory(parent, "Folder for the production")

    def produce(self) -> None:
        ticked = [
            self.candidates.item(i)
            for i in range(self.candidates.count())
            if self.candidates.item(i).checkState() == Qt.CheckState.Checked
        ]
        ids = [int(item.data(Qt.ItemDataRole.UserRole)) for item in ticked]
        statuses = {str(item.data(Qt.ItemDataRole.UserRole + 1)) for item in ticked}
        if not ids:
            self.error_label.setText("Tick at least one record to produce.")
            return
        override = self.override_edit.text().strip()
        beyond = statuses - {legal_scope.IN_SCOPE, legal_scope.UNDATED}
        if beyond and not override:
            self.error_label.setText(
                "Some ticked records are beyond the request's scope: give the override's reason, "
                "or untick them."
            )
            return
        folder = self.ask_folder(self._parent())
        if not folder:
            return
        rid, method = self._request_id(), self.method_edit.text()
        certifier = self.certifier_edit.text().strip() or None
        title = self.certifier_title_edit.text().strip()
        undated = legal_scope.UNDATED in statuses

        def done(result: legal_production.ProductionResult) -> None:
            self.production_label.setText(
                f"Produced {result.first}–{result.last} ({plural(result.record_count, 'record')}) in "
                f"{result.folder}"
            )
            self.reload()

        self._run(
            lambda: legal_production.produce(
                self.ctx.db,
                self.ctx.actor,
                rid,
                ids,
                Path(folder),
                method=method,
                certifier=certifier,
                certifier_title=title,
                include_undated=undated,
                override_reason=override or None,
            ),
            done,
        )
