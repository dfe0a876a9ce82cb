"""Walk every page and dialog on the demo data and read what a person sees: no stored code.

Text that looks like a stored code (snake_case words, dotted action codes, JSON braces, Python
values) fails the test, naming the page and the text. Cells, labels, buttons, tabs, combo-box
entries and headers are all read, with a request and a legal matter opened in their detail.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabBar,
    QTabWidget,
    QWidget,
)

from console.domain import labels
from console.services import accounts
from console.services.demo import seed as demo
from console.ui.main_window import MainWindow
from console.ui.pages.admin_page import AddUserDialog
from console.ui.pages.base import UiContext
from console.ui.pages.legal_intake_dialog import LegalIntakeDialog
from console.ui.pages.new_request_dialog import NewRequestDialog
from console.ui.pages.sources_page import AddSourceDialog
from console.ui.runner import Runner
from console.ui.settings_dialog import SettingsDialog

# Text the window shows on purpose although it has the shape of a code: the demo's own
# source column names (shown as the source names them) and file names.
_ALLOWED = {"console.db"}


def _model_text(model: QAbstractItemModel, limit: int = 60) -> list[str]:
    out = []
    for c in range(model.columnCount()):
        head = model.headerData(c, Qt.Orientation.Horizontal)
        if head is not None:
            out.append(str(head))
    for r in range(min(model.rowCount(), limit)):
        for c in range(model.columnCount()):
            value = model.data(model.index(r, c))
            if value is not None:
                out.append(str(value))
    return out


def visible_text(root: QWidget) -> list[str]:
    """Everything a person can read in `root` and its visible children."""
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) and w is not root:
            continue
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append(w.text())
        elif isinstance(w, QGroupBox):
            out.append(w.title())
        elif isinstance(w, QTabBar):
            out += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QLineEdit):
            out.append(w.placeholderText())
        elif isinstance(w, QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            out += _model_text(w.model())
    return [t for t in out if t]


# Stored codes that differ from their labels: a cell or label showing exactly one shows a code.
# Roles are left out: the demo's user names ("admin", "legal") are shown as user names.
_STORED = {
    code
    for kind in labels.KINDS
    if kind not in ("role", "action", "object")
    for code, text in labels.table(kind).items()
    if text != code
}


def _codes(where: str, texts: list[str]) -> list[str]:
    found = [f"{where}: the code {t!r}" for t in texts if t.strip() in _STORED]
    for text in texts:
        for fragment in labels.code_looking(text):
            if fragment not in _ALLOWED:
                found.append(f"{where}: {fragment!r} in {text[:80]!r}")
    return found


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory):
    from console.store.db import open_database

    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('plain') / 'console.db'}")
    demo.load(db, None)
    yield db
    db.dispose()


@pytest.mark.parametrize("user", ["admin", "officer", "legal", "auditor"])
def test_no_page_shows_a_stored_code(qtbot, demo_ctx, user: str) -> None:
    db = demo_ctx
    actor = accounts.authenticate(db, user, demo.DEMO_PASSWORD)
    runner = Runner()
    win = MainWindow(UiContext(db, runner, actor))
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    found: list[str] = []
    try:
        for page in win.pages:
            win.show_page(page.title)
            qtbot.waitUntil(lambda: not runner.is_busy(), timeout=20_000)
            # Open the first row of a list page, so its detail is read too.
            for view in page.findChildren(QAbstractItemView):
                if view.isVisible() and view.model() is not None and view.model().rowCount():
                    view.setCurrentIndex(view.model().index(0, 0))
                    break
            qtbot.waitUntil(lambda: not runner.is_busy(), timeout=20_000)
            found += _codes(page.title, visible_text(page))
            # Every tab of the page and of its detail, one after another.
            for tabs in page.findChildren(QTabWidget):
                if not tabs.isVisible():
                    continue
                for i in range(tabs.count()):
                    tabs.setCurrentIndex(i)
                    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=20_000)
                    where = f"{page.title} / {tabs.tabText(i).replace('&', '')}"
                    found += _codes(where, visible_text(tabs.widget(i)))
        found += _codes("window", [win.windowTitle(), win.statusBar().currentMessage()])
    finally:
        runner.wait()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "make",
    [
        lambda: NewRequestDialog(),
        lambda: LegalIntakeDialog(),
        lambda: AddUserDialog(),
        lambda: AddSourceDialog(None),
        lambda: SettingsDialog(),
    ],
    ids=["new request", "new legal request", "add user", "add source", "settings"],
)
def test_no_dialog_shows_a_stored_code(qtbot, make) -> None:
    dialog: QDialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    assert _codes(dialog.windowTitle(), visible_text(dialog)) == []
