"""File > Settings…: each setting's value and where it comes from; values the site locks are read-only."""

from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console import config
from console.config import Config, Source
from console.ui import theme
from console.ui.plain import plain_label


class SettingsDialog(QDialog):
    saved = Signal(object)  # the new console.config.Config

    def __init__(self, parent: QWidget | None = None, *, cfg: Config | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settings_dialog")
        self.cfg = cfg or config.load()
        self.editors: dict[str, QLineEdit | QSpinBox] = {}
        self.sources: dict[str, QLabel] = {}
        form = QFormLayout()
        for entry in self.cfg.explain():
            spec = config.KEYS[entry.key]
            editor = self._editor(spec.kind, entry.value)
            editor.setObjectName(entry.key)
            editor.setAccessibleName(spec.label)
            editor.setToolTip(spec.help)
            if entry.locked:
                editor.setEnabled(False)
            if isinstance(editor, QLineEdit):
                # Wide enough for the whole value (a database path), up to 70 characters.
                fm = editor.fontMetrics()
                shown = max(len(editor.text()), 30)
                editor.setMinimumWidth(min(shown, 70) * fm.averageCharWidth() + 4 * theme.SPACE)
                editor.setCursorPosition(0)
            source = plain_label(entry.describe())
            source.setObjectName(f"{entry.key}_source")
            source.setWordWrap(True)
            theme.set_role(source, "muted")
            row = QVBoxLayout()
            row.setSpacing(theme.SPACE // 2)
            row.addWidget(editor)
            row.addWidget(source)
            form.addRow(spec.label, row)
            self.editors[entry.key] = editor
            self.sources[entry.key] = source
        site = self.cfg.site.path
        where = plain_label(
            f"Site configuration: {site if site else 'none'}\nYour settings: {self.cfg.user_path}\n"
            "Locked values are set by your administrator. A new database takes effect at the next start."
        )
        where.setWordWrap(True)
        self.error_label = plain_label()
        self.error_label.setObjectName("error")
        theme.set_role(self.error_label, "error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(where)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        theme.space(layout, margins=2, spacing=2)
        form.setVerticalSpacing(2 * theme.SPACE)
        self.resize(self.sizeHint())

    @staticmethod
    def _editor(kind: type, value: Any) -> QLineEdit | QSpinBox:
        if kind is int:
            spin = QSpinBox()
            spin.setRange(0, 100_000)
            spin.setValue(int(value))
            return spin
        return QLineEdit(str(value))

    def value(self, key: str) -> Any:
        editor = self.editors[key]
        return editor.value() if isinstance(editor, QSpinBox) else editor.text().strip()

    def changes(self) -> dict[str, Any]:
        """Values the user changed (locked ones never count)."""
        out: dict[str, Any] = {}
        for entry in self.cfg.explain():
            if entry.locked:
                continue
            new = self.value(entry.key)
            if new != entry.value and new != "":
                out[entry.key] = new
        return out

    def save(self) -> None:
        try:
            config.save_user_settings(self.changes())
            self.cfg = config.load()
        except config.ConfigError as exc:
            self.error_label.setText(str(exc))
            return
        overridden = [
            e.key
            for e in self.cfg.explain()
            if e.source in (Source.ENVIRONMENT, Source.COMMAND_LINE)
        ]
        for entry in self.cfg.explain():
            self.sources[entry.key].setText(entry.describe())
        self.saved.emit(self.cfg)
        if overridden:
            self.error_label.setText(
                f"Saved. Still overridden for this session: {', '.join(overridden)}."
            )
            return
        self.accept()


def self_check_widgets() -> str:
    """For --self-check: Qt starts and builds a real dialog (offscreen when there is no display)."""
    from PySide6.QtCore import qVersion

    no_display = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if QApplication.instance() is None and no_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    dialog = SettingsDialog()
    try:
        if len(dialog.editors) != len(config.KEYS):
            raise RuntimeError("the settings dialog is missing settings")
    finally:
        dialog.deleteLater()
    platform = app.platformName() if isinstance(app, QApplication) else "?"
    return f"Qt {qVersion()} widgets built ({platform})"
