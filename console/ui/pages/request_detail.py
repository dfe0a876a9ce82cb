"""One request in detail: its clock, timeline, tasks and records, and the actions on it.

Every action runs on the background runner with the version the user saw, so a change someone
else saved meanwhile comes back as a message naming them instead of being overwritten.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Permission
from console.domain.responses import LETTER_LABELS
from console.domain.workflow import DsrStatus
from console.outfiles import OutputExists
from console.services import accounts
from console.services.records import search as records
from console.services.records import sources
from console.services.requests import fulfil as work
from console.services.requests import letters as letter_service
from console.services.requests import lifecycle as dsr
from console.services.requests import presenter
from console.services.requests import review as work_review
from console.services.requests.model import RequestView, TaskView
from console.ui import theme
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.pages.request_dialogs import AddTaskDialog, CorrectionDialog
from console.ui.pages.request_law_actions import DetailAsk, LawActions
from console.ui.pages.request_records import RecordsTab
from console.ui.plain import plain_label
from console.ui.text import moment as text_moment
from console.ui.widgets import empty_state

_NOBODY = "Nobody (unassigned)"


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: Sequence[Sequence[object]]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    t.resizeColumnsToContents()


class RequestDetail(LawActions, QWidget):
    loaded = Signal(object)  # RequestView
    changed = Signal(int)  # request id, after any saved change
    failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: RequestView | None = None
        layout = QVBoxLayout(self)
        self.title_label = plain_label("Select a request.")
        self.title_label.setObjectName("request_title")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.clock_label = plain_label("")
        self.clock_label.setObjectName("clock")
        self.clock_label.setWordWrap(True)
        self.flags_label = plain_label("")
        self.flags_label.setObjectName("flags")
        theme.set_role(self.flags_label, "error-strong")
        self.flags_label.setWordWrap(True)
        for w in (self.title_label, self.clock_label, self.flags_label):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(w)

        action_row = QWidget()
        action_row.setObjectName("request_actions")
        # Rows of buttons rather than one, each as wide as its own buttons: the page must fit
        # 1024 px.
        actions = QVBoxLayout(action_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(theme.SPACE)
        rows: list[QHBoxLayout] = []
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("advance", "&Advance…", self.advance),
            ("verify", "&Verify identity…", self.verify_identity),
            ("pause", "&Pause clock…", self.pause),
            ("resume", "&Resume clock", self.resume),
            ("extend", "E&xtend…", self.extend),
            ("find", "&Find records", self.find_records),
            ("fulfil", "F&ulfil…", self.fulfil),
            ("deny", "&Deny…", self.deny),
            ("excessive", "Excess&ive…", self.excessive),
            ("clock_event", "&Waiting for…", self.clock_event),
            ("acknowledge", "Ack&nowledged…", self.acknowledge),
            ("letters", "Letter&s…", self.letters),
            ("assign", "Assi&gn…", self.assign),
        ):
            b = QPushButton(label)
            n = len(self.buttons)
            b.setObjectName(key)
            b.clicked.connect(slot)
            b.setEnabled(False)
            self.buttons[key] = b
            if n % 5 == 0:
                rows.append(QHBoxLayout())
                rows[-1].setSpacing(theme.SPACE)
                actions.addLayout(rows[-1])
            rows[-1].addWidget(b)
        for row in rows:
            row.addStretch(1)
        self.buttons["excessive"].setToolTip(
            "A manifestly unfounded or excessive request (GDPR Art. 12(5)): a fee or a refusal"
        )
        layout.addWidget(action_row)

        self.tabs = QTabWidget()
        self.timeline = _table(["When", "What happened", "Details"])
        self.timeline.setAccessibleName("Timeline")
        self.clock_table = _table(["#", "Entry", "Date", "Reason", "Requester told", "By"])
        self.clock_table.setAccessibleName("Clock")
        self.tasks_table = _table(["Task", "Source", "Action", "Assignee", "Due", "Status"])
        self.tasks_table.setAccessibleName("Tasks")
        self.records_tab = RecordsTab(ctx, self._run)
        empty_state(self.timeline, "Select a request above to see its history.")
        empty_state(self.clock_table, "The clock has not been paused or extended.")
        empty_state(
            self.tasks_table,
            "No tasks yet. Add one per source system that must act (find, erase, correct).",
        )
        self.tabs.addTab(self.timeline, "&Timeline")
        self.tabs.addTab(self.clock_table, "C&lock")
        self.tasks_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.tasks_table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        tasks_tab = QWidget()
        tasks_layout = QVBoxLayout(tasks_tab)
        tasks_layout.setContentsMargins(0, 0, 0, 0)
        tasks_layout.addWidget(self.tasks_table, 1)
        task_row = QHBoxLayout()
        self.task_buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("add_task", "Add &task…", self.add_task),
            ("task_done", "&Mark done", self.mark_task_done),
            ("task_status", "Set stat&us…", self.set_task_status),
        ):
            b = QPushButton(label)
            n = len(self.buttons)
            b.setObjectName(key)
            b.clicked.connect(slot)
            b.setEnabled(False)
            self.task_buttons[key] = b
            task_row.addWidget(b)
        task_row.addStretch(1)
        tasks_layout.addLayout(task_row)
        self.tasks_table.itemSelectionChanged.connect(self._enable_task_buttons)
        self.tabs.addTab(tasks_tab, "Tas&ks")
        self.tabs.addTab(self.records_tab, "Rec&ords")
        layout.addWidget(self.tabs, 1)

    # -- loading ------------------------------------------------------------------------------
    def load(self, request_id: int) -> None:
        self.ctx.runner.submit(
            lambda: dsr.get_request(self.ctx.db, self.ctx.actor, request_id),
            self.show_view,
            self._failed,
        )

    def show_view(self, v: RequestView) -> None:
        self.view = v
        shown = presenter.present(v, self.ctx.actor)
        self.title_label.setText(shown.title)
        self.clock_label.setText(shown.clock_line)
        self.flags_label.setText("\n".join(shown.warnings))
        # Times in the user's own time zone and format; the presenter's rows are in UTC.
        _fill(
            self.timeline,
            [
                (text_moment(dt.datetime.fromisoformat(e.at)), *row[1:])
                for e, row in zip(v.timeline, shown.timeline, strict=True)
            ],
        )
        _fill(self.clock_table, shown.clock)
        _fill(self.tasks_table, shown.tasks)
        self.records_tab.show_view(v)
        waiting = shown.awaiting_review
        self.tabs.setTabText(
            self.tabs.indexOf(self.records_tab),
            f"Rec&ords ({waiting} awaiting review)" if waiting else "Rec&ords",
        )
        for key, on in shown.actions.items():
            self.buttons[key].setEnabled(on)
        self._enable_task_buttons()
        self.loaded.emit(v)

    def _enable_task_buttons(self) -> None:
        v = self.view
        can = v is not None and v.is_open and self.ctx.actor.can(Permission.MANAGE_DSR)
        task = self.selected_task()
        self.task_buttons["add_task"].setEnabled(can)
        self.task_buttons["task_done"].setEnabled(
            can and task is not None and task.status != "done"
        )
        self.task_buttons["task_status"].setEnabled(can and task is not None)

    def selected_task(self) -> TaskView | None:
        """The TaskView of the selected row of the Tasks tab, or None."""
        if self.view is None:
            return None
        rows = self.tasks_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.view.tasks):
            return None
        return self.view.tasks[rows[0].row()]

    def _failed(self, exc: BaseException) -> None:
        self.failed.emit(str(exc))
        Ask.error(self, "Request", str(exc))

    def _run(self, fn: Callable[[], Any]) -> None:
        assert self.view is not None
        rid = self.view.id

        def done(result: Any) -> None:
            if isinstance(result, RequestView):
                self.show_view(result)
            else:
                self.load(rid)
            self.changed.emit(rid)

        self.ctx.runner.submit(fn, done, self._failed)

    # -- actions ------------------------------------------------------------------------------
    def advance(self) -> None:
        v = self.view
        if v is None:
            return
        targets = [t for t in v.allowed_next if t != DsrStatus.DENIED.value]
        labels = [DsrStatus(t).label for t in targets]
        choice = Ask.choose(self, "Advance", "Move the request to:", labels)
        if choice is None:
            return
        target = targets[labels.index(choice)]
        self._run(
            lambda: dsr.advance(
                self.ctx.db, self.ctx.actor, v.id, target, expected_version=v.version
            )
        )

    def assign(self) -> None:
        v = self.view
        if v is None:
            return
        names = dsr.assignable_users(self.ctx.db, self.ctx.actor)
        choices = [_NOBODY, *names]
        current = choices.index(v.assignee) if v.assignee in choices else 0
        picked = Ask.choose(self, "Assign", f"Who works on request {v.id}?", choices, current)
        if picked is None:
            return
        who = None if picked == _NOBODY else picked
        self._run(
            lambda: dsr.assign(self.ctx.db, self.ctx.actor, v.id, who, expected_version=v.version)
        )

    def verify_identity(self) -> None:
        v = self.view
        if v is None:
            return
        method = DetailAsk.text(self, "Verify identity", "How was the identity verified?")
        if method is None:
            return
        evidence = DetailAsk.text(self, "Verify identity", "Evidence reference:") or ""
        self._run(
            lambda: dsr.verify_identity(
                self.ctx.db, self.ctx.actor, v.id, method, evidence, expected_version=v.version
            )
        )

    def pause(self) -> None:
        v = self.view
        if v is None:
            return
        reason = Ask.choose(self, "Pause clock", "Why is the clock paused?", v.pause_reasons)
        if reason is None:
            return
        self._run(
            lambda: dsr.pause(
                self.ctx.db,
                self.ctx.actor,
                v.id,
                dt.date.today(),
                reason,
                expected_version=v.version,
            )
        )

    def resume(self) -> None:
        v = self.view
        if v is None:
            return
        self._run(
            lambda: dsr.resume(
                self.ctx.db, self.ctx.actor, v.id, dt.date.today(), expected_version=v.version
            )
        )

    def extend(self) -> None:
        v = self.view
        if v is None:
            return
        reason = DetailAsk.text(self, "Extend", "Reason given to the requester:")
        if reason is None:
            return
        told = DetailAsk.text(
            self, "Extend", "Date the requester was told (YYYY-MM-DD):", dt.date.today().isoformat()
        )
        try:
            told_on = dt.date.fromisoformat(told or "")
        except ValueError:
            Ask.error(self, "Extend", "The date must look like 2026-01-31.")
            return
        self._run(
            lambda: dsr.extend(
                self.ctx.db,
                self.ctx.actor,
                v.id,
                dt.date.today(),
                reason,
                told_on,
                expected_version=v.version,
            )
        )

    def find_records(self) -> None:
        v = self.view
        if v is None:
            return
        self._run(
            lambda: work.find_records(self.ctx.db, self.ctx.actor, v.id, expected_version=v.version)
        )

    # -- tasks --------------------------------------------------------------------------------
    def _task_choices(self, v: RequestView) -> tuple[list[str], list[str]]:
        """Source names (the attached records' first, then any other) and active user names."""
        attached = sorted({r.source for r in v.records})
        actor = self.ctx.actor
        known = (
            [x.name for x in sources.list_sources(self.ctx.db, actor)]
            if actor.can(Permission.VIEW_SOURCES)
            else []
        )
        users = (
            [u.name for u in accounts.list_users(self.ctx.db, actor) if u.active]
            if actor.can(Permission.VIEW_USERS)
            else []
        )
        return attached + [n for n in known if n not in attached], users

    def add_task(self) -> None:
        v = self.view
        if v is None:
            return

        def chosen(choices: tuple[list[str], list[str]]) -> None:
            answer = AddTaskDialog.ask(self, choices[0], choices[1], v.due_on)
            if answer is None:
                return
            self._run(
                lambda: work.add_task(
                    self.ctx.db,
                    self.ctx.actor,
                    v.id,
                    answer.source,
                    answer.action,
                    assignee=answer.assignee,
                    due_on=answer.due_on,
                )
            )

        self.ctx.runner.submit(lambda: self._task_choices(v), chosen, self._failed)

    def mark_task_done(self) -> None:
        task = self.selected_task()
        if task is None:
            return
        self._run(lambda: work.set_task_status(self.ctx.db, self.ctx.actor, task.id, "done"))

    def set_task_status(self) -> None:
        task = self.selected_task()
        if task is None:
            return
        statuses = list(work.TASK_STATUSES)
        current = statuses.index(task.status) if task.status in statuses else 0
        choice = Ask.choose(self, "Task status", f"Status of task {task.id}:", statuses, current)
        if choice is None:
            return
        self._run(lambda: work.set_task_status(self.ctx.db, self.ctx.actor, task.id, choice))

    # -- fulfilment ---------------------------------------------------------------------------
    def fulfil(self) -> None:
        v = self.view
        if v is None:
            return
        waiting = RecordsTab.awaiting(v)
        if waiting:
            self._fulfil_with_awaiting(v, waiting)
            return
        if v.request_type == "correction":
            self._fulfil_correction(v)
            return
        folder = DetailAsk.out_dir(self)
        if folder is None:
            return
        self._fulfil_into(v, folder, force=False)

    def _fulfil_into(self, v: RequestView, folder: Path, *, force: bool) -> None:
        def failed(exc: BaseException) -> None:
            # Files of the same name are already there: the window asks, as --force would.
            if (
                isinstance(exc, OutputExists)
                and not force
                and Ask.confirm(self, "Fulfil", f"{exc}\n\nReplace the existing files?")
            ):
                self._fulfil_into(v, folder, force=True)
                return
            self._failed(exc)

        rid = v.id

        def done(_result: Any) -> None:
            self.load(rid)
            self.changed.emit(rid)

        self.ctx.runner.submit(
            lambda: work.fulfil(
                self.ctx.db, self.ctx.actor, v.id, folder, expected_version=v.version, force=force
            ),
            done,
            failed,
        )

    def _fulfil_with_awaiting(self, v: RequestView, waiting: int) -> None:
        """Nothing awaiting review leaves the console: review them, or exclude them all first."""
        review_them, exclude_all = "Review them on the Records tab", "Exclude all awaiting review…"
        noun = "record awaits" if waiting == 1 else "records await"
        choice = Ask.choose(
            self,
            "Fulfil",
            f"{waiting} {noun} review (possible matches that may be someone else's data); the "
            "request cannot be fulfilled until each is confirmed or excluded.",
            [review_them, exclude_all],
        )
        if choice != exclude_all:
            self.tabs.setCurrentWidget(self.records_tab)
            return
        reason = DetailAsk.text(
            self, "Exclude all awaiting review", "Why are they not the requester's data?"
        )
        if reason is None:
            return
        if v.request_type == "correction":
            self._run(
                lambda: work_review.exclude_awaiting(
                    self.ctx.db, self.ctx.actor, v.id, reason, expected_version=v.version
                )
            )
            return
        folder = DetailAsk.out_dir(self)
        if folder is None:
            return

        def both() -> Any:
            work_review.exclude_awaiting(
                self.ctx.db, self.ctx.actor, v.id, reason, expected_version=v.version
            )
            return work.fulfil(self.ctx.db, self.ctx.actor, v.id, folder)

        self._run(both)

    def letters(self) -> None:
        v = self.view
        if v is None:
            return
        kinds = letter_service.kinds_for(v)
        labels = [LETTER_LABELS[k] for k in kinds]
        choice = Ask.choose(self, "Letters", "Write which letter to the requester?", labels)
        if choice is None:
            return
        kind = kinds[labels.index(choice)]
        path = DetailAsk.save_pdf(self, f"DSR-{v.id}-{kind}.pdf")
        if path is None:
            return

        def done(result: letter_service.LetterResult) -> None:
            Ask.info(
                self,
                "Letters",
                f"The letter was written to {result.path} and recorded "
                "in the audit trail; `report verify` checks it.",
            )
            self.load(v.id)
            self.changed.emit(v.id)

        self.ctx.runner.submit(
            lambda: letter_service.write_letter(self.ctx.db, self.ctx.actor, v.id, kind, path),
            done,
            self._failed,
        )

    def _fulfil_correction(self, v: RequestView) -> None:
        ids = [r.record_id for r in v.records if r.review == work_review.CONFIRMED]
        if not ids:
            Ask.error(self, "Fulfil", "No confirmed records: find and review the records first.")
            return

        def loaded(rows: list[records.RecordRow]) -> None:
            corrections = CorrectionDialog.ask(self, rows)
            if not corrections:
                return
            # A correction writes no files; fulfil still wants a folder for them.
            folder = Path(tempfile.gettempdir())
            self._run(
                lambda: work.fulfil(
                    self.ctx.db,
                    self.ctx.actor,
                    v.id,
                    folder,
                    corrections=corrections,
                    expected_version=v.version,
                )
            )

        self.ctx.runner.submit(
            lambda: records.records_by_id(self.ctx.db, self.ctx.actor, ids), loaded, self._failed
        )
