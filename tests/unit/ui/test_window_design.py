"""The designed window on demo data: theme and fonts, sidebar counts, chips, dashboard tiles and
charts, empty states, table widths, layouts at 1024x700 and 1920x1080, local dates, plurals, and
page-owned status messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTabWidget

from console.domain.permissions import Role
from console.services import policy
from console.services.context import Actor
from console.services.requests import lifecycle as dsr
from console.store.db import Database
from console.ui import text, theme
from console.ui.main_window import BADGE_ROLE, MainWindow
from console.ui.pages.base import UiContext
from console.ui.runner import Runner
from console.ui.settings_dialog import SettingsDialog
from console.wording import plural
from tests.unit.ui.conftest import settle as _settle

# -- theme ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("palette", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_the_style_sheet_resolves_every_colour(palette: dict[str, str]) -> None:
    sheet = theme.style_sheet(palette)
    assert "@" not in sheet.replace(theme.resource_path("icons").as_posix(), "")
    assert "8px" in sheet.replace(" ", "") or "16px" in sheet


def test_the_window_follows_a_dark_system_and_back(qtbot, demo_window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, dark=True)
    try:
        assert theme.is_dark() and theme.DARK["window"] in app.styleSheet()
    finally:
        theme.apply(app, dark=False)
    assert not theme.is_dark() and theme.LIGHT["window"] in app.styleSheet()


def test_the_bundled_cjk_font_is_registered_for_the_window(qtbot, demo_window) -> None:
    assert theme.CJK_FAMILY in QFontDatabase.families()
    chinese = QFontDatabase.WritingSystem.SimplifiedChinese
    assert chinese in QFontDatabase.writingSystems(theme.CJK_FAMILY)
    assert theme.CJK_FAMILY in QApplication.font().families()


# -- sidebar, chips, dashboard -------------------------------------------------------------------


def test_the_sidebar_has_icons_and_live_counts_said_in_words(qtbot, demo_window) -> None:
    _settle(qtbot, demo_window)
    rows = {
        demo_window.pages[i].title: demo_window.nav.item(i) for i in range(len(demo_window.pages))
    }
    assert all(not item.icon().isNull() for item in rows.values())
    requests = rows["Requests"]
    qtbot.waitUntil(lambda: requests.data(BADGE_ROLE) is not None, timeout=10_000)
    count = int(str(requests.data(BADGE_ROLE)).replace(",", ""))
    assert count > 0
    said = requests.data(Qt.ItemDataRole.AccessibleTextRole)
    assert said == f"Requests, {plural(count, 'overdue request')}"
    assert "legal deadline" in rows["Legal"].data(Qt.ItemDataRole.AccessibleTextRole)


def test_the_dashboard_shows_tiles_and_charts(qtbot, demo_window) -> None:
    page = demo_window.show_page("Dashboard")
    with qtbot.waitSignal(page.loaded, timeout=20_000) as blocker:
        page.refresh()
    d = blocker.args[0]
    _settle(qtbot, demo_window)
    tiles = page.tiles
    assert tiles["open"].value.text() == f"{d.open_total:,}"
    assert tiles["overdue"].value.text() == f"{d.overdue_total:,}"
    assert tiles["due_soon"].value.text() == f"{d.due_soon_total:,}"
    assert tiles["legal"].value.text() not in ("", "–")
    assert tiles["median"].value.text() not in ("", "–")
    assert "Overdue" in tiles["overdue"].accessibleName()
    assert sum(n for _, n in page.status_chart.bars) == d.open_total
    assert sum(n for _, n in page.type_chart.bars) == d.open_total
    assert "In progress" in page.status_chart.accessibleDescription()
    page.status_chart.grab()
    page.type_chart.grab()


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080)])
def test_week_labels_never_overlap(qtbot, demo_window, size) -> None:
    demo_window.resize(*size)
    page = demo_window.show_page("Dashboard")
    qtbot.waitUntil(lambda: bool(page.chart.weeks), timeout=20_000)
    chart = page.chart
    fm = chart.fontMetrics()
    widest = max(fm.horizontalAdvance(text.short_day(m)) for m, _ in chart.weeks)
    every = chart.label_every()
    step = chart._area().width() / len(chart.weeks)
    assert every * step >= widest  # two labelled weeks are at least one label apart
    chart.grab()


def test_an_empty_database_tells_the_user_what_to_do(qtbot, db: Database, admin: Actor) -> None:
    policy.ensure_default_pack(db, admin)
    runner = Runner()
    win = MainWindow(UiContext(db, runner, admin))
    qtbot.addWidget(win)
    win.show()
    page = win.show_page("Requests")
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10_000)
    empty = page.table.viewport().findChild(QLabel, "empty_state")
    assert empty is not None and empty.isVisible() and "New request" in empty.text()
    dashboard = win.show_page("Dashboard")
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=10_000)
    soon = dashboard.soon_list.viewport().findChild(QLabel, "empty_state")
    assert soon is not None and soon.isVisible()
    runner.wait()


# -- tables, layouts -----------------------------------------------------------------------------


def test_the_requests_table_uses_its_width(qtbot, demo_window) -> None:
    demo_window.resize(1440, 900)
    page = demo_window.show_page("Requests")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    header = page.table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    assert used >= page.table.viewport().width() - 2
    assert page.model.data(page.model.index(0, 3), Qt.ItemDataRole.UserRole + 20) in theme.TONES


def test_the_admin_table_does_not_stretch_its_last_column(qtbot, demo_window) -> None:
    demo_window.resize(1440, 900)
    page = demo_window.show_page("Admin")
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=10_000)
    header = page.table.horizontalHeader()
    last = header.count() - 1
    assert not header.stretchLastSection()
    assert header.sectionSize(last) <= header.sectionSizeHint(last) + 2
    assert header.sectionSize(1) > header.sectionSize(last)  # the full name takes the room


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080)])
def test_every_page_fits_the_window(qtbot, demo_window, size) -> None:
    demo_window.resize(*size)
    for page in demo_window.pages:
        demo_window.show_page(page.title)
        _settle(qtbot, demo_window)
        hint = demo_window.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], page.title
        assert demo_window.width() == size[0] and demo_window.height() == size[1], page.title


def test_the_legal_tabs_are_not_cut_at_1024(qtbot, demo_window) -> None:
    demo_window.resize(1024, 700)
    page = demo_window.show_page("Legal")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
        page.table.selectRow(0)
    tabs: QTabWidget = page.detail.tabs
    bar = tabs.tabBar()
    last = bar.tabRect(bar.count() - 1)
    assert last.right() <= bar.width()
    assert bar.tabText(bar.count() - 1).replace("&", "") == "Timeline"


def test_the_settings_dialog_shows_whole_values(qtbot, tmp_path: Path, monkeypatch) -> None:
    long_path = "sqlite:///" + "/".join(["a-rather-long-folder-name"] * 2) + "/console.db"
    monkeypatch.setenv("CONSOLE_DB_URL", long_path)
    dlg = SettingsDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    for editor in dlg.editors.values():
        if isinstance(editor, QLineEdit):
            needed = editor.fontMetrics().horizontalAdvance(editor.text())
            assert editor.width() >= needed, editor.objectName()


# -- words, dates, messages ---------------------------------------------------------------------


def test_plurals_are_english() -> None:
    assert plural(1, "page") == "1 page"
    assert plural(2, "page") == "2 pages"
    assert plural(0, "entry") == "0 entries"
    assert plural(1_204, "record") == "1,204 records"
    assert plural(3, "overdue request") == "3 overdue requests"


def test_the_cli_says_one_page(run_cli, tmp_path: Path) -> None:
    assert run_cli("init", "--admin", "admin")[0] == 0
    code, out, _err = run_cli(
        "--user", "admin", "report", "sources", "--format", "pdf", "--out", str(tmp_path / "s.pdf")
    )
    assert code == 0
    assert "1 pages" not in out and "0 rows" in out and "1 page)" in out


def test_dates_follow_the_locale_and_times_are_local() -> None:
    day = dt.date(2026, 8, 17)
    try:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        assert text.day(day) == "8/17/2026"
        QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
        assert text.day(day) == "17.08.2026"
        QLocale.setDefault(QLocale.c())
        assert text.day(day) == "2026-08-17"
        moment = dt.datetime(2026, 8, 17, 23, 30, tzinfo=dt.UTC)
        local = moment.astimezone()
        assert text.moment(moment) == local.strftime("%Y-%m-%d %H:%M")
        assert "UTC" not in text.moment(moment)
    finally:
        QLocale.setDefault(QLocale.system())


def test_a_status_message_stays_on_its_page(qtbot, demo_window) -> None:
    admin_page = demo_window.show_page("Admin")
    _settle(qtbot, demo_window)
    admin_page.status_message.emit("3 accounts")
    assert demo_window.statusBar().currentMessage() == "3 accounts"
    demo_window.show_page("Sources")
    assert demo_window.statusBar().currentMessage() != "3 accounts"
    admin_page.status_message.emit("from a page not shown")
    assert demo_window.statusBar().currentMessage() != "from a page not shown"


def test_an_overdue_request_is_said_not_only_coloured(qtbot, db, make_user) -> None:
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    request = dsr.create_request(
        db,
        officer,
        dsr.Intake(
            request_type="access",
            law="ccpa",
            received_on=dt.date.today() - dt.timedelta(days=90),
            emails=("jane@example.com",),
        ),
    )
    from console.ui.pages.requests_page import RequestsPage

    runner = Runner()
    page = RequestsPage(UiContext(db, runner, officer))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        page.refresh()
    assert page.model.request_id(0) == request.id
    assert "overdue" in page.model.data(page.model.index(0, 6))
    runner.wait()
