"""The request detail's questions (DetailAsk, which tests replace) and the actions the law gives
beyond the workflow: a denial on the law's own grounds, an Art. 12(5) decision, the clock's
waits (UK GDPR Art. 12A) and the acknowledgement of receipt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from console.domain import labels
from console.services.requests import law_steps
from console.services.requests import lifecycle as dsr
from console.services.requests.model import RequestView
from console.ui.dialogs import Ask, plain_input_dialog
from console.ui.pages.base import UiContext


class DetailAsk:
    """The questions the detail page asks; tests replace these."""

    @staticmethod
    def text(parent: QWidget | None, title: str, label: str, default: str = "") -> str | None:
        dialog = plain_input_dialog(parent, title, label)
        dialog.setTextValue(default)
        value = dialog.textValue() if dialog.exec() == QDialog.DialogCode.Accepted else ""
        return value.strip() or None

    @staticmethod
    def out_dir(parent: QWidget | None) -> Path | None:
        folder = QFileDialog.getExistingDirectory(parent, "Folder for the response files")
        return Path(folder) if folder else None

    @staticmethod
    def save_pdf(parent: QWidget | None, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Save the letter", suggested, "PDF (*.pdf)")
        return Path(path) if path else None


class LawActions:
    """Mixed into the request detail (a QWidget that has these attributes)."""

    view: RequestView | None
    ctx: UiContext
    if TYPE_CHECKING:  # RequestDetail's own: runs a change in the background, then reloads

        def _run(self, fn: Callable[[], Any]) -> None: ...

    def _parent(self) -> QWidget:
        assert isinstance(self, QWidget)  # only ever mixed into the request detail
        return self

    def excessive(self) -> None:
        """GDPR Art. 12(5): a reasonable fee or a refusal, with the reasons recorded."""
        v = self.view
        if v is None:
            return
        words = [labels.label("excessive_decision", c) for c in v.excessive_options]
        choice = Ask.choose(self._parent(), "Manifestly unfounded or excessive", "Decision:", words)
        if choice is None:
            return
        decision = v.excessive_options[words.index(choice)]
        reasons = DetailAsk.text(
            self._parent(),
            "Manifestly unfounded or excessive",
            "Why is the request manifestly unfounded or excessive? (recorded; you must be able"
            " to show it)",
        )
        if reasons is None:
            return
        self._run(
            lambda: law_steps.decide_manifestly_unfounded(
                self.ctx.db, self.ctx.actor, v.id, decision, reasons, expected_version=v.version
            )
        )

    def clock_event(self) -> None:
        """Identity, a fee or clarification asked for or received (UK GDPR Art. 12A)."""
        v = self.view
        if v is None:
            return
        words = [labels.label("clock", law_steps.CLOCK_EVENTS[e].value) for e in v.clock_events]
        choice = Ask.choose(self._parent(), "Clock", "What happened:", words)
        if choice is None:
            return
        event = v.clock_events[words.index(choice)]
        day = DetailAsk.text(
            self._parent(), "Clock", "On (YYYY-MM-DD):", dt.date.today().isoformat()
        )
        if day is None:
            return
        try:
            on = dt.date.fromisoformat(day.strip())
        except ValueError:
            Ask.error(self._parent(), "Clock", f"Not a date like 2026-01-31: {day}")
            return
        self._run(
            lambda: law_steps.clock_event(
                self.ctx.db, self.ctx.actor, v.id, event, on, expected_version=v.version
            )
        )

    def acknowledge(self) -> None:
        """Record when receipt was acknowledged (a UK complaint within 30 days, s.164A(3))."""
        v = self.view
        if v is None:
            return
        day = DetailAsk.text(
            self._parent(),
            "Acknowledged",
            f"Acknowledged on (YYYY-MM-DD; due by {v.acknowledge_by}):",
            dt.date.today().isoformat(),
        )
        if day is None:
            return
        try:
            on = dt.date.fromisoformat(day.strip())
        except ValueError:
            Ask.error(self._parent(), "Acknowledged", f"Not a date like 2026-01-31: {day}")
            return
        how = DetailAsk.text(self._parent(), "Acknowledged", "How (e-mail, letter, …)?") or ""
        self._run(
            lambda: law_steps.acknowledge(
                self.ctx.db, self.ctx.actor, v.id, on, how=how, expected_version=v.version
            )
        )

    def deny(self) -> None:
        v = self.view
        if v is None:
            return
        # Only the grounds the request's law allows for its type (the registry).
        codes = list(v.denial_reasons)
        if not codes:
            Ask.info(self._parent(), "Deny", "The law gives no ground to refuse this request.")
            return
        words = [labels.label("denial_reason", c) for c in codes]
        choice = Ask.choose(self._parent(), "Deny", "Ground for the denial:", words)
        if choice is None:
            return
        reason = codes[words.index(choice)]
        text = DetailAsk.text(self._parent(), "Deny", "Explanation for the requester:") or ""
        self._run(
            lambda: dsr.deny(
                self.ctx.db, self.ctx.actor, v.id, reason, text, expected_version=v.version
            )
        )
