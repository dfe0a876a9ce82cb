"""Policy page: the policy pack in force — categories, sources, purposes, recipients, cookies,
rights — and its health check: what the statement lacks or only assumes, exportable."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import labels
from console.domain.policy import PolicyPack
from console.domain.policy_check import HealthReport
from console.services import policy, policy_health
from console.ui import a11y
from console.ui.export_job import ExportControl
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label, tip
from console.ui.text import day


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            item.setToolTip(tip(value))
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.resizeColumnsToContents()
    for c in range(len(headers) - 1):
        table.setColumnWidth(c, min(table.columnWidth(c), 320))
    return table


class HealthPanel(QWidget):
    """The health check of the pack in force: a summary, the findings, and an internal export."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary_label = plain_label("")
        self.summary_label.setObjectName("health_summary")
        self.summary_label.setWordWrap(True)
        top.addWidget(self.summary_label, 1)
        self.export = ExportControl(ctx, policy_health.REPORT, parent=self)
        top.addWidget(self.export)
        layout.addLayout(top)
        self.table = _table(HEALTH_COLUMNS, [])
        self.table.setAccessibleName("Health check findings")
        layout.addWidget(self.table, 1)

    def show_report(self, report: HealthReport) -> None:
        counts = report.counts()
        self.summary_label.setText(
            f"Checked on {report.checked_on.isoformat()}: {len(report.findings)} findings"
            f" ({counts['high']} high, {counts['medium']} medium, {counts['low']} low)."
            f" Passed: {', '.join(report.passed) or 'none'}."
        )
        rows = [
            (
                f.severity_label,
                f.element,
                f.status_label,
                f.citation,
                f.says,
                f.add,
            )
            for f in report.findings
        ]
        layout = self.layout()
        assert layout is not None
        old = self.table
        self.table = _table(HEALTH_COLUMNS, rows)
        self.table.setAccessibleName("Health check findings")
        layout.replaceWidget(old, self.table)
        old.deleteLater()


HEALTH_COLUMNS = ("Severity", "Element", "Status", "Citation", "The statement says", "Add")


class PolicyPage(Page):
    title = "Policy"
    loaded = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        self.title_label = heading("Policy pack")
        layout.addWidget(self.title_label)
        self.meta_label = plain_label("")
        self.meta_label.setWordWrap(True)
        layout.addWidget(self.meta_label)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.pack: PolicyPack | None = None
        self.health = HealthPanel(ctx)
        self.report: HealthReport | None = None

    def refresh(self) -> None:
        def fetch() -> tuple[PolicyPack, HealthReport]:
            pack = policy.pack_in_force(self.ctx.db, self.ctx.actor)
            return pack, policy_health.health_check(self.ctx.db, self.ctx.actor)

        self.ctx.runner.submit(fetch, self._show)

    def _show(self, result: tuple[PolicyPack, HealthReport]) -> None:
        pack, report = result
        self.pack = pack
        self.report = report
        self.title_label.setText(pack.title)
        self.meta_label.setText(
            f"{pack.organisation.name} · pack {pack.pack_id} version {pack.version} · "
            f"in force since {day(pack.effective_date)} · digest {pack.digest()[:16]}…"
        )
        current = self.tabs.currentIndex()
        self.tabs.clear()
        groups = {g.id: g.label for g in pack.category_groups}
        self.tabs.addTab(
            _table(
                ("Category", "Group", "Description", "Retention"),
                [
                    (c.label, groups.get(c.group, c.group), c.description, c.retention or "—")
                    for c in pack.categories
                ],
            ),
            "Data &categories",
        )
        self.tabs.addTab(
            _table(
                ("Source kind", "Description", "Categories"),
                [
                    (
                        s.label,
                        s.description,
                        ", ".join(pack.category(c).label for c in s.categories),
                    )
                    for s in pack.source_kinds
                ],
            ),
            "&Sources",
        )
        self.tabs.addTab(
            _table(
                ("Purpose", "Description", "Legal basis", "Categories"),
                [
                    (
                        p.label,
                        p.description,
                        p.legal_basis_note,
                        ", ".join(pack.category(c).label for c in p.categories),
                    )
                    for p in pack.purposes
                ],
            ),
            "&Purposes",
        )
        self.tabs.addTab(
            _table(
                ("Recipient", "Kind", "Description", "Grounds"),
                [
                    (
                        r.label,
                        labels.label("recipient_kind", r.kind),
                        r.description,
                        ", ".join(pack.disclosure_ground(g).label for g in r.disclosure_grounds),
                    )
                    for r in pack.recipients
                ],
            ),
            "&Recipients",
        )
        self.tabs.addTab(
            _table(
                ("Cookie class", "Duration", "Party", "Consent", "Providers", "Description"),
                [
                    (
                        c.label,
                        ", ".join(c.durations),
                        ", ".join(c.parties),
                        c.consent_text,
                        ", ".join(c.providers),
                        c.description,
                    )
                    for c in pack.cookie_classes
                ],
            ),
            "C&ookies",
        )
        self.tabs.addTab(
            _table(
                ("Right", "Description", "How"),
                [(r.label, r.description, r.how) for r in pack.rights],
            ),
            "Ri&ghts",
        )
        self.health.show_report(report)
        self.tabs.addTab(self.health, "&Health check")
        self.tabs.setCurrentIndex(max(current, 0))
        a11y.name_from_context(self)  # each table takes its tab's title as its name
        self.loaded.emit()
