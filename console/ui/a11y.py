"""Accessibility checks the tests (and tools) run over a widget tree: the name a screen reader
announces for each control, and the order Tab moves through them."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

CONTROLS = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)


def spoken_name(widget: QWidget) -> str:
    """What assistive technology announces as the control's name."""
    iface = QAccessible.queryAccessibleInterface(widget)
    name = iface.text(QAccessible.Text.Name) if iface is not None else ""
    return (name or widget.accessibleName() or "").replace("&", "").strip()


def controls(root: QWidget) -> list[QWidget]:
    """The controls a user can reach in root (the inner parts of composite widgets left out)."""
    found: list[QWidget] = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS):
            continue
        if _inside_composite(w, root):
            continue
        found.append(w)
    return found


def _inside_composite(w: QWidget, root: QWidget) -> bool:
    # A spin box's line edit, a combo box's list, a table's header buttons, a scroll bar, a tab
    # widget's own bar are parts of one control, named through it.
    parent = w.parentWidget()
    while parent is not None and parent is not root:
        composite = QAbstractSpinBox | QComboBox | QAbstractItemView | QTabBar | QLineEdit
        if isinstance(parent, composite):
            return True
        parent = parent.parentWidget()
    return type(w).__name__ in ("QScrollBar",) or w.objectName().startswith("qt_")


def unnamed(root: QWidget) -> list[str]:
    """Controls without a name, described by class, object name and tooltip (for messages)."""
    return [
        f"{type(w).__name__} {w.objectName()!r} {w.toolTip()!r}"
        for w in controls(root)
        if not spoken_name(w)
    ]


def name_from_context(root: QWidget) -> None:
    """Give each unnamed control the name its surroundings already show: a placeholder text, a
    tooltip. (Controls with a label of their own, a button's text or a form label, are named by
    Qt already.) A table that is a tab of its own takes the tab's title."""
    for tabs in root.findChildren(QTabWidget):
        for i in range(tabs.count()):
            page = tabs.widget(i)
            if isinstance(page, CONTROLS) and not spoken_name(page):
                page.setAccessibleName(
                    tabs.tabText(i).replace("&&", "\0").replace("&", "").replace("\0", "&")
                )
    for w in controls(root):
        if spoken_name(w):
            continue
        hint = ""
        if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            hint = w.placeholderText()
        hint = hint or w.toolTip()
        if hint:
            w.setAccessibleName(hint.rstrip(".…: "))
