"""HTML in labels: data shown in the window is text, never markup.

A requester's name, a source's name, a file's name and its columns and values, an agency, an
officer, a case number, a served document's name, a user's full name: each carries
<img src=x width=4000>, the window shows every page and the detail views, and every label that
shows one must show it literally and stay a sane size; no tooltip may render it either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QLabel, QWidget

from console.domain.permissions import Role
from console.services import accounts, policy
from console.services.context import Actor
from console.services.legal import intake as legal
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.services.records import imports, sources
from console.services.requests import lifecycle as dsr
from console.store.db import Database
from console.ui.import_dialog import ImportDialog
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.plain import escape
from console.ui.runner import Runner
from tests.reliability.conftest import Measure

pytestmark = pytest.mark.gui

T = TypeVar("T")
HOSTILE = "<img src=x width=4000>"
SANE_WIDTH, SANE_HEIGHT = 1600, 800


@pytest.fixture
def hostile_db(db: Database, admin: Actor, tmp_path: Path) -> Database:
    policy.ensure_default_pack(db, admin)
    accounts.add_user(db, admin, "olivia", Role.PRIVACY_OFFICER, full_name=HOSTILE)
    sources.add_source(db, admin, f"CRM {HOSTILE}", "crm")
    data = tmp_path / f"{HOSTILE}.csv"
    data.write_text(f"email,name,{HOSTILE}\nana@example.org,{HOSTILE},{HOSTILE}\n", "utf-8")
    imports.run_import(db, admin, data, f"CRM {HOSTILE}")
    dsr.create_request(
        db,
        admin,
        dsr.Intake(
            request_type="access",
            law="gdpr",
            received_on=dt.date.today(),
            emails=("ana@example.org",),
            name=HOSTILE,
            address=HOSTILE,
            notes=HOSTILE,
        ),
    )
    legal.create_request(
        db,
        admin,
        LegalIntake(
            "subpoena",
            HOSTILE,
            "US",
            dt.datetime.now(dt.UTC),
            officer=HOSTILE,
            case_number=HOSTILE,
            description=HOSTILE,
            jurisdiction=HOSTILE,
            identifiers=[IdentifierSpec("email", "ana@example.org")],
        ),
        document=(f"{HOSTILE}.pdf", b"%PDF-1.4 served", "application/pdf"),
    )
    return db


@pytest.fixture
def window(qtbot, hostile_db: Database, admin: Actor) -> Iterator[MainWindow]:
    runner = Runner()
    win = MainWindow(UiContext(hostile_db, runner, admin), idle_minutes=0)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    runner.wait()


def _settle(qtbot, win: MainWindow) -> None:
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=20_000)
    QApplication.processEvents()


def _walk_models(view: QAbstractItemView) -> Iterator[tuple[str, object]]:
    model: QAbstractItemModel | None = view.model()
    if model is None:
        return

    def rows(parent: QModelIndex) -> Iterator[tuple[str, object]]:
        # List and table models keep columnCount or hasChildren private (one column, flat).
        columns = _or(lambda: model.columnCount(parent), 1)
        for r in range(min(model.rowCount(parent), 200)):
            for c in range(columns):
                index = model.index(r, c, parent)
                yield "display", model.data(index, Qt.ItemDataRole.DisplayRole)
                yield "tooltip", model.data(index, Qt.ItemDataRole.ToolTipRole)
                if c == 0 and _or(lambda: model.hasChildren(index), False):  # noqa: B023
                    yield from rows(index)

    yield from rows(QModelIndex())


def _or(call: Callable[[], T], fallback: T) -> T:
    try:
        return call()
    except TypeError:
        return fallback


def _inspect(root: QWidget, shown: dict[str, str], problems: list[str]) -> None:
    for label in root.findChildren(QLabel):
        where = (
            f"{type(label.window()).__name__}/{label.objectName() or type(label.parent()).__name__}"
        )
        text = label.text()
        hint = label.sizeHint()
        if HOSTILE in text:
            shown[where + f"#{id(label)}"] = text
            if label.textFormat() != Qt.TextFormat.PlainText:
                problems.append(f"{where}: shows data as {label.textFormat().name}: {text[:80]!r}")
        if hint.width() > SANE_WIDTH or hint.height() > SANE_HEIGHT:
            problems.append(f"{where}: {hint.width()}×{hint.height()} px for {text[:80]!r}")
    for widget in [root, *root.findChildren(QWidget)]:
        if HOSTILE in widget.toolTip():
            problems.append(f"{type(widget).__name__}: tooltip renders {widget.toolTip()[:80]!r}")
        if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            for role, value in _walk_models(widget):
                if role == "tooltip" and isinstance(value, str) and HOSTILE in value:
                    problems.append(f"{type(widget).__name__}: item tooltip renders {value[:80]!r}")
                if role == "display" and isinstance(value, str) and HOSTILE in value:
                    shown[f"{type(widget).__name__} cell"] = value


def test_markup_in_data_is_shown_literally_on_every_page_and_view(
    qtbot, window: MainWindow, hostile_db: Database, admin: Actor, measure: Measure
) -> None:
    shown: dict[str, str] = {}
    problems: list[str] = []
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        _settle(qtbot, window)
        page = window.pages[row]
        title = page.title
        if title == "Requests":
            page.open_request(1)  # type: ignore[attr-defined]
        elif title == "Legal":
            page.detail.load(1)  # type: ignore[attr-defined]
        elif title == "Records":
            page.search_edit.setText("ana@example.org")  # type: ignore[attr-defined]
            page.search()  # type: ignore[attr-defined]
        elif title == "Sources":
            page.table.selectRow(0)  # type: ignore[attr-defined]
        _settle(qtbot, window)
        _inspect(window, shown, problems)
    # The import dialog on a file whose name, header and values all carry markup.
    data = Path(str(hostile_db.sqlite_path)).parent / f"{HOSTILE}.csv"
    data.write_text(f"email,{HOSTILE}\nbo@example.org,{HOSTILE}\n", "utf-8")
    source = sources.get_source(hostile_db, admin, f"CRM {HOSTILE}")
    dialog = ImportDialog(window.ctx, source, data, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        pass
    with qtbot.waitSignal(dialog.imported, timeout=20_000):
        dialog.run()
    _settle(qtbot, window)
    _inspect(dialog, shown, problems)
    file_label = dialog.file_label.text()
    assert escape(HOSTILE) in file_label and HOSTILE not in file_label  # rich, data escaped
    assert dialog.file_label.sizeHint().width() < SANE_WIDTH
    problems = list(dict.fromkeys(problems))
    widest = max((lbl.sizeHint().width() for lbl in window.findChildren(QLabel)), default=0)
    measure(
        scenario="HTML in labels",
        labels_with_data=len(shown),
        problems=problems[:10],
        window=f"{window.width()}×{window.height()}",
        attack="HTML in labels",
        result=(
            f"<img src=x width=4000> shown literally in {len(shown)} labels and cells on "
            f"{window.nav.count()} pages, the detail views and the import dialog; widest "
            f"label {widest} px; tooltips escaped; problems: {len(problems)}"
        ),
    )
    assert not problems, "\n".join(problems)
    # The data reached the window (the test would prove nothing if it had not).
    reached = "\n".join(shown.values())
    for where in (
        "Request 1 —",
        "Agency: " + HOSTILE,
        "Imports into CRM " + HOSTILE,
        f"{HOSTILE}.pdf",
        f"Import into CRM {HOSTILE}",
    ):
        assert where in reached or where in {w.windowTitle() for w in (window, dialog)}, where
    assert window.width() <= SANE_WIDTH and window.height() <= SANE_HEIGHT
