"""The Reports page and the Audit page's Export button, driven offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from console.services import policy
from console.ui.export_job import SaveAs
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.pages.reports_page import OpenFile, ReportsPage
from console.ui.runner import Runner


@pytest.fixture
def window(qtbot, db, admin):
    policy.ensure_default_pack(db, admin)
    runner = Runner()
    win = MainWindow(UiContext(db, runner, admin))
    qtbot.addWidget(win)
    win.show()
    yield win
    runner.wait()


def test_exporting_the_cookie_register_writes_a_verifiable_pdf(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    page: ReportsPage = window.show_page("Reports")
    names = [s.name for s in page.specs]
    page.list.setCurrentRow(names.index("cookie-register"))
    target = tmp_path / "cookies.pdf"
    monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, suggested, fmt: target))
    with qtbot.waitSignal(page.exported, timeout=30_000):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert "Google Analytics" in " ".join(p.extract_text() for p in PdfReader(target).pages)
    assert "SHA-256" in page.result_label.text()
    monkeypatch.setattr(OpenFile, "ask", staticmethod(lambda parent: target))
    with qtbot.waitSignal(page.verified, timeout=10_000) as blocker:
        qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].ok and "Unchanged" in page.result_label.text()


def test_only_the_parameters_a_report_takes_are_shown(qtbot, window) -> None:
    page: ReportsPage = window.show_page("Reports")
    names = [s.name for s in page.specs]
    page.list.setCurrentRow(names.index("audit-trail"))
    assert page.form.isRowVisible(page.actor_edit)
    page.list.setCurrentRow(names.index("ropa"))
    assert not page.form.isRowVisible(page.actor_edit)


def test_the_audit_page_exports_what_it_shows(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    page = window.show_page("Audit")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    page.action_box.setCurrentIndex(page.action_box.findData("policy"))
    page.format_box.setCurrentIndex(1)
    target = tmp_path / "trail.xlsx"
    monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, suggested, fmt: target))
    with qtbot.waitSignal(page.exporter.finished, timeout=30_000) as blocker:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].row_counts == {"Audit trail": 1}
    assert target.exists()


@pytest.mark.parametrize(
    ("page_title", "report", "header"),
    [("Requests", "dsr-register", "Received"), ("Legal", "legal-register", "Agency")],
)
def test_list_pages_export_their_register(
    qtbot, window, tmp_path: Path, monkeypatch, page_title: str, report: str, header: str
) -> None:
    from openpyxl import load_workbook

    page = window.show_page(page_title)
    page.export.format_box.setCurrentIndex(1)
    target = tmp_path / f"{report}.xlsx"
    monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, suggested, fmt: target))
    with qtbot.waitSignal(page.export.runner.finished, timeout=30_000) as blocker:
        qtbot.mouseClick(page.export.button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].path == target
    wb = load_workbook(target)
    assert wb["About"]["A1"].value is not None
    headers = [c.value for ws in wb.worksheets if ws.title != "About" for c in ws[1]]
    assert any(header in str(h) for h in headers)


def test_exporting_over_an_existing_file_asks_first(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    from console.ui.dialogs import Ask

    page: ReportsPage = window.show_page("Reports")
    page.list.setCurrentRow([s.name for s in page.specs].index("cookie-register"))
    target = tmp_path / "cookies.pdf"
    target.write_text("my own notes", "utf-8")
    monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, suggested, fmt: target))
    asked: list[str] = []

    def answer(yes: bool):  # type: ignore[no-untyped-def]
        return staticmethod(lambda _p, _t, text: asked.append(text) or yes)

    monkeypatch.setattr(Ask, "confirm", answer(False))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert asked == ["cookies.pdf already exists. Replace it?"]
    assert target.read_text("utf-8") == "my own notes"  # declined: nothing written
    monkeypatch.setattr(Ask, "confirm", answer(True))
    with qtbot.waitSignal(page.exported, timeout=30_000):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes().startswith(b"%PDF")
