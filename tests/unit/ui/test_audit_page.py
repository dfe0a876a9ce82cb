"""The Audit page reads the trail as sentences, on the demo data, driven offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from console.domain import labels
from console.services import accounts
from console.services.demo import seed as demo
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.runner import Runner


@pytest.fixture
def window(qtbot, db):
    demo.load(db, None)  # an empty database: the demo accounts, then every area's data
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD)
    runner = Runner()
    win = MainWindow(UiContext(db, runner, admin))
    qtbot.addWidget(win)
    win.show()
    yield win
    runner.wait()


def _shown(page, role=Qt.ItemDataRole.DisplayRole) -> list[list[str]]:
    model = page.model
    return [
        [str(model.data(model.index(r, c), role) or "") for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_every_event_reads_as_words_with_objects_named_as_users_know_them(qtbot, window) -> None:
    page = window.show_page("Audit")
    qtbot.waitUntil(lambda: page.model.rowCount() > 100, timeout=20_000)
    rows = _shown(page)
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert headers[3] == "What happened"
    sentences = [r[3] for r in rows]
    assert any(" moved Request " in s and " to In progress" in s for s in sentences)
    assert any(" logged LR-" in s and ": subpoena" in s for s in sentences)
    assert any("Created a user (" in s for s in sentences)
    for row in rows:
        for cell in row[2:]:
            assert labels.code_looking(cell) == [], cell
    tips = _shown(page, Qt.ItemDataRole.ToolTipRole)
    assert all(labels.code_looking(r[4]) == [] for r in tips)


def test_the_what_filter_offers_jobs_and_actions_by_their_labels(qtbot, window) -> None:
    page = window.show_page("Audit")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=20_000)
    box = page.action_box
    texts = [box.itemText(i).strip() for i in range(box.count())]
    assert "Legal requests" in texts and "Placed a legal hold" in texts
    assert all(labels.code_looking(t) == [] for t in texts)
    box.setCurrentIndex(box.findData("legal.hold_place"))
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: page.model.rowCount() < 100, timeout=10_000)
    assert page.model.rowCount() == 1, _shown(page)
    assert ": Placed a legal hold (LR-" in _shown(page)[0][3]
