"""The main window: navigation, pages, status bar, idle lock, and remembered geometry."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import ClassVar

import platformdirs
from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from console import APP_NAME, __version__
from console.domain.permissions import Role
from console.paths import APP_AUTHOR, APP_DIR_NAME
from console.services.context import Actor
from console.store.db import Database
from console.ui import a11y, theme
from console.ui.dialogs import Ask
from console.ui.pages import PAGES
from console.ui.pages.base import Page, UiContext
from console.ui.plain import plain_label

log = logging.getLogger("ui")
DEFAULT_IDLE_MINUTES = 15
ICONS = {
    "Dashboard": "dashboard",
    "My work": "mywork",
    "Requests": "requests",
    "Records": "records",
    "Sources": "sources",
    "Legal": "legal",
    "Reports": "reports",
    "Audit": "audit",
    "Policy": "policy",
    "Admin": "admin",
}
# Titles of the known pages, so the sidebar is drawn without importing every page's module.
TITLES = {
    "DashboardPage": "Dashboard",
    "MyWorkPage": "My work",
    "RequestsPage": "Requests",
    "RecordsPage": "Records",
    "SourcesPage": "Sources",
    "LegalPage": "Legal",
    "ReportsPage": "Reports",
    "AuditPage": "Audit",
    "PolicyPage": "Policy",
    "AdminPage": "Admin",
}
MY_WORK = "My work"  # the landing page of officers and legal reviewers
BADGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the count a sidebar entry shows, as text


def _title(spec: str) -> str:
    module_name, class_name = spec.split(":")
    if class_name in TITLES:
        return TITLES[class_name]
    return str(getattr(importlib.import_module(module_name), class_name).title)


class _BadgeDelegate(QStyledItemDelegate):
    """Sidebar entries: icon and title as usual, and a count on the right in a pill (the count
    is text, and the entry's accessible name says what it counts)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        badge = index.data(BADGE_ROLE)
        if not badge:
            return
        fm = QFontMetrics(option.font)
        w = fm.horizontalAdvance(str(badge)) + 2 * theme.SPACE
        h = fm.height() + 2
        r = QRectF(
            option.rect.right() - w - 2 * theme.SPACE, option.rect.center().y() - h / 2, w, h
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.colour("danger-bg"))
        painter.drawRoundedRect(r, h / 2, h / 2)
        painter.setPen(theme.colour("danger-text"))
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, str(badge))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 6 * theme.SPACE, max(size.height(), 5 * theme.SPACE))


def settings() -> QSettings:
    """Per-user window settings in an INI file (CONSOLE_SETTINGS_DIR overrides, for tests)."""
    folder = Path(
        os.environ.get("CONSOLE_SETTINGS_DIR")
        or platformdirs.user_config_dir(APP_DIR_NAME, APP_AUTHOR)
    )
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)


class _IdleWatcher(QObject):
    """Restarts the idle timer on any keyboard or mouse activity anywhere in the application."""

    _ACTIVITY: ClassVar[set[QEvent.Type]] = {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
    }

    def __init__(self, timer: QTimer) -> None:
        super().__init__()
        self.timer = timer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class MainWindow(QMainWindow):
    locked = Signal()
    unlocked = Signal()

    def __init__(self, ctx: UiContext, *, idle_minutes: int = DEFAULT_IDLE_MINUTES) -> None:
        super().__init__()
        theme.ensure_applied()
        self.ctx = ctx
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Pages")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setItemDelegate(_BadgeDelegate(self.nav))
        self.nav.setMinimumWidth(20 * theme.SPACE)
        self.counts: dict[str, str] = {}
        self.stack = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([22 * theme.SPACE, 1000])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.nav.currentRowChanged.connect(self._show_page)

        self.db_label = plain_label("")
        self.db_label.setObjectName("database")
        self.user_label = plain_label("")
        self.user_label.setObjectName("user")
        self._build_pages()
        self.statusBar().addPermanentWidget(self.db_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self._build_menus()

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.lock)
        self.set_idle_minutes(idle_minutes)
        self._watcher = _IdleWatcher(self.idle_timer)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._watcher)
        ctx.runner.error.connect(self._job_error)
        ctx.runner.account_changed.connect(lambda _exc: self.lock())
        self._restore_state()
        self.nav.setCurrentRow(self._landing_row())

    # -- navigation ---------------------------------------------------------------------------
    def _build_pages(self) -> None:
        """The pages for the signed-in user's role (again after someone else signs in).

        A page is built the first time it is shown (start-up builds only the landing page):
        the stack holds an empty placeholder until then.
        """
        while self.stack.count():
            widget = self.stack.widget(0)
            assert widget is not None
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self.nav.blockSignals(True)
        self.nav.clear()
        self._specs = list(PAGES)
        self.titles = [_title(spec) for spec in self._specs]
        self._built: list[Page | None] = [None] * len(self._specs)
        for title in self.titles:
            self.stack.addWidget(QWidget())
            self.nav.addItem(QListWidgetItem(theme.icon(ICONS.get(title, "")), title))
        self.nav.blockSignals(False)
        actor = self.ctx.actor
        self.setWindowTitle(f"{APP_NAME} — {actor.name}")
        self.db_label.setText(self.ctx.db.describe())
        self.user_label.setText(f"Signed in as {actor.name} ({actor.role.label})")

    def _page_at(self, row: int) -> Page:
        page = self._built[row]
        if page is None:
            module_name, class_name = self._specs[row].split(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            page = cls(self.ctx)
            a11y.name_from_context(page)
            assert page.title == self.titles[row], f"{class_name}.title is {page.title!r}"
            page.status_message.connect(lambda text, p=page: self._show_status(p, text))
            opens = getattr(page, "open_matter", None)  # My work opens matters on their pages
            if opens is not None:
                opens.connect(self.open_matter)
            placeholder = self.stack.widget(row)
            assert placeholder is not None
            current = self.stack.currentIndex()
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            if current == row:
                self.stack.setCurrentIndex(row)
            self._built[row] = page
        return page

    @property
    def pages(self) -> list[Page]:
        """Every page, built now if not yet (tests and tools walk them all)."""
        return [self._page_at(row) for row in range(len(self._specs))]

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.lock_action = QAction("&Lock", self, shortcut=QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        file_menu.addAction(self.lock_action)
        pw = QAction("Change &password…", self)
        pw.triggered.connect(self.change_password)
        file_menu.addAction(pw)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        go = self.menuBar().addMenu("&Go")
        for i, title in enumerate(self.titles):
            # Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth page.
            key = f"Ctrl+{(i + 1) % 10}" if i < 10 else ""
            act = QAction(title, self, shortcut=QKeySequence(key))
            act.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            go.addAction(act)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About", self)
        about.triggered.connect(
            lambda: Ask.info(self, APP_NAME, f"{APP_NAME} {__version__}\n{self.ctx.db.describe()}")
        )
        help_menu.addAction(about)

    def _landing_row(self) -> int:
        """Officers and legal reviewers land on My work; others on the first page."""
        if self.ctx.actor.role in (Role.PRIVACY_OFFICER, Role.LEGAL) and MY_WORK in self.titles:
            return self.titles.index(MY_WORK)
        return 0

    def open_matter(self, kind: str, matter_id: int) -> None:
        """Open a request (kind "dsr") or a legal matter ("legal") on its own page."""
        page = self.show_page("Requests" if kind == "dsr" else "Legal")
        opener = getattr(page, "open_request", None)
        if opener is not None:
            opener(matter_id)

    def page(self, title: str) -> Page:
        return self._page_at(self.titles.index(title))

    def show_page(self, title: str) -> Page:
        row = self.titles.index(title)
        page = self._page_at(row)
        self.nav.setCurrentRow(row)
        return page

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        page = self._page_at(row)
        self.stack.setCurrentIndex(row)
        self.statusBar().clearMessage()  # a message belongs to the page that showed it
        page.refresh()
        self.refresh_counts()

    def _show_status(self, page: Page, text: str) -> None:
        if self.stack.currentWidget() is page:
            self.statusBar().showMessage(text, 8000)

    # -- live counts in the sidebar -----------------------------------------------------------
    def refresh_counts(self) -> None:
        from console.services.requests import overview

        ctx = self.ctx
        ctx.runner.submit(lambda: overview.overview(ctx.db, ctx.actor), self._show_counts)

    def _show_counts(self, o: object) -> None:
        from console.services.requests.overview import Overview
        from console.wording import plural

        assert isinstance(o, Overview)
        counts = {
            "Requests": (o.overdue_requests, plural(o.overdue_requests or 0, "overdue request")),
            "Legal": (
                o.legal_deadlines,
                plural(o.legal_deadlines or 0, "legal deadline") + " in the next 7 days or past",
            ),
        }
        for row, title in enumerate(self.titles):
            item = self.nav.item(row)
            n, said = counts.get(title, (None, ""))
            item.setData(BADGE_ROLE, f"{n:,}" if n else None)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}, {said}" if n else title)
            item.setToolTip(said if n else "")
            self.counts[title] = said if n else ""

    def _job_error(self, exc: BaseException) -> None:
        Ask.error(self, APP_NAME, str(exc))

    # -- idle lock ----------------------------------------------------------------------------
    def set_idle_minutes(self, minutes: float) -> None:
        if minutes <= 0:
            self.idle_timer.stop()
            return
        self.idle_timer.setInterval(int(minutes * 60_000))
        self.idle_timer.start()

    def lock(self) -> None:
        """Hide everything until someone signs in: the same user, or another one."""
        from console.ui.login import LoginDialog

        if getattr(self, "_lock_dialog", None) is not None:
            return
        self.idle_timer.stop()
        self.splitter.hide()
        self.menuBar().setEnabled(False)
        dlg = LoginDialog(
            self.ctx.db,
            self.ctx.runner,
            self,
            locked_user=self.ctx.actor.name,
            sign_in=self.ctx.sign_in,
        )
        dlg.setObjectName("lock_dialog")
        dlg.signed_in.connect(lambda actor: self._unlock(dlg.database or self.ctx.db, actor))
        dlg.rejected.connect(self.close)
        self._lock_dialog: LoginDialog | None = dlg
        self.locked.emit()
        dlg.open()

    def _unlock(self, db: Database, actor: Actor) -> None:
        old = self.ctx
        if (db, actor.id, actor.role) != (old.db, old.actor.id, old.actor.role):
            # Whoever unlocks works as themselves, with their role as it is now: a window built
            # for the previous user (or role) is never handed over.
            self.ctx = UiContext(db, old.runner, actor, old.sign_in)
            self._build_pages()
            if old.db is not db:
                old.runner.submit(old.db.dispose)  # after any job still running on it
        else:
            old.actor = actor  # the same context object every page and model holds
        self._lock_dialog = None
        self.splitter.show()
        self.menuBar().setEnabled(True)
        self.idle_timer.start()
        self.nav.setCurrentRow(max(self.nav.currentRow(), 0))
        self._show_page(self.nav.currentRow())
        self.unlocked.emit()

    @property
    def is_locked(self) -> bool:
        return getattr(self, "_lock_dialog", None) is not None

    def change_password(self) -> None:
        from console.ui.login import ChangePasswordDialog

        ChangePasswordDialog(self.ctx.db, self.ctx.runner, self.ctx.actor, self).open()

    def open_settings(self) -> None:
        from console.ui.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self)
        dlg.saved.connect(lambda cfg: self.set_idle_minutes(int(cfg["idle_lock_minutes"])))
        dlg.open()

    # -- remembered state ---------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = settings()
        geometry = s.value("main/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        split = s.value("main/splitter")
        if isinstance(split, QByteArray | bytes):
            self.splitter.restoreState(split)

    def save_state(self) -> None:
        s = settings()
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/splitter", self.splitter.saveState())
        s.sync()

    def closeEvent(self, event: object) -> None:
        self.save_state()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._watcher)
        self.idle_timer.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
