"""Grab every page of the main window offscreen from demo data into docs/ (or a folder given).

Usage: QT_QPA_PLATFORM=offscreen python tools/screenshots.py [OUT_DIR] [--dark]
Writes screenshot-<page>.png at 1440x900 and screenshot-<page>-1024.png at 1024x700.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "docs"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="console-shots-"))
    for name in ("settings", "logs", "data"):
        (tmp / name).mkdir()
    os.environ["CONSOLE_SETTINGS_DIR"] = str(tmp / "settings")
    os.environ["CONSOLE_LOG_DIR"] = str(tmp / "logs")

    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from console.services import accounts
    from console.services.context import Actor
    from console.services.demo import seed as demo
    from console.store.db import open_database
    from console.ui import theme
    from console.ui.main_window import MainWindow
    from console.ui.pages.base import UiContext
    from console.ui.runner import Runner

    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply(app, dark=True if "--dark" in sys.argv else None)
    db = open_database(f"sqlite:///{tmp / 'data' / 'demo.db'}")
    demo.load(db, None)
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD)
    assert isinstance(admin, Actor)
    runner = Runner()
    win = MainWindow(UiContext(db, runner, admin))
    win.show()
    for size, suffix in (((1440, 900), ""), ((1024, 700), "-1024")):
        win.resize(*size)
        for page in list(win.pages):
            win.show_page(page.title)
            _settle(app, runner)
            if page.title in ("Legal", "Requests"):
                _open_first(page, app, runner)
            if page.title == "Records":
                page.search_edit.setText("mueller")
                page.search()
                _settle(app, runner)
            name = page.title.lower().replace(" ", "-")
            win.grab().save(str(out / f"screenshot-{name}{suffix}.png"))
    win.resize(1440, 900)
    _review_shot(win, app, runner, out)
    _import_shot(win, app, runner, out)
    from console.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(win)
    dlg.show()
    _settle(app, runner)
    dlg.grab().save(str(out / "screenshot-settings.png"))
    dlg.close()
    runner.wait()
    win.close()
    win.deleteLater()
    app.processEvents()
    db.dispose()


def _review_shot(win: object, app: object, runner: object, out: Path) -> None:
    """A request whose Records tab has records awaiting review."""
    page = win.show_page("Requests")  # type: ignore[attr-defined]
    detail = page.detail
    for row in range(page.model.rowCount()):
        page.table.selectRow(row)
        _settle(app, runner)
        tab = detail.tabs.indexOf(detail.records_tab)
        if any(ch.isdigit() for ch in detail.tabs.tabText(tab)):
            detail.tabs.setCurrentIndex(tab)
            _settle(app, runner)
            win.grab().save(str(out / "screenshot-review.png"))  # type: ignore[attr-defined]
            return


def _import_shot(win: object, app: object, runner: object, out: Path) -> None:
    from console.services import policy
    from console.services.records import sources
    from console.ui.import_dialog import ImportDialog

    ctx = win.ctx  # type: ignore[attr-defined]
    crm = next(s for s in sources.list_sources(ctx.db, ctx.actor) if s.name == "CRM")
    pack = policy.pack_in_force(ctx.db, ctx.actor)
    path = Path(__file__).resolve().parent.parent / "data" / "demo" / "crm_customers.csv"
    dlg = ImportDialog(ctx, crm, path, pack, win)  # type: ignore[arg-type]
    dlg.resize(1100, 760)
    dlg.show()
    _settle(app, runner)
    dlg.grab().save(str(out / "screenshot-import.png"))
    dlg.close()
    dlg.deleteLater()


def _settle(app: object, runner: object) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    for _ in range(30):
        runner.wait()  # type: ignore[attr-defined]
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _open_first(page: object, app: object, runner: object) -> None:
    table = getattr(page, "table", None)
    if table is not None and table.model() is not None and table.model().rowCount() > 0:
        table.selectRow(0)
        _settle(app, runner)


if __name__ == "__main__":
    main()
