"""Small modal dialogs behind `ask()`-style functions that tests replace (no modal loop in tests)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget


class Ask:
    """Every question the window asks the user goes through here, so a test can answer it."""

    @staticmethod
    def confirm(parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    @staticmethod
    def info(parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    @staticmethod
    def error(parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    @staticmethod
    def choose(parent: QWidget | None, title: str, label: str, items: list[str], current: int = 0
               ) -> str | None:
        value, ok = QInputDialog.getItem(parent, title, label, items, current, False)
        return value if ok else None
