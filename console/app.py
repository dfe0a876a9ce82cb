"""Starting the window: open the database, sign in (or create the first admin), show the main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QDialog

from console import APP_NAME, __version__, config
from console.errors import ConsoleError
from console.logs import log_file_path
from console.ui.dialogs import Ask

if TYPE_CHECKING:
    from console.store.db import Database

log = logging.getLogger("ui")


def _install_crash_handler() -> None:
    """An unexpected error shows a dialog naming the log file instead of the window vanishing."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error: %s", "".join(traceback.format_exception(kind, exc, tb)))
        Ask.fatal(
            None,
            APP_NAME,
            f"Something went wrong ({kind.__name__}). Your saved work is safe.\n\n"
            f"The details are in the log file:\n{log_file_path()}",
        )

    sys.excepthook = hook


def _probe(label: str) -> None:
    sys.stdout.write(f"{label} {time.time()}\n")
    sys.stdout.flush()


def _probe_startup(login: Any, mode: str) -> None:
    """bench/startup.py: print when the sign-in window is up and responsive; then close it
    ("login"), or sign in with CONSOLE_PASSWORD and go on to the main window ("main")."""
    from PySide6.QtCore import QTimer

    def ready() -> None:
        _probe("login")
        if mode != "main":
            login.reject()
            return
        login.signed_in.connect(lambda _actor: _probe("signed_in"))
        login.password_edit.setText(os.environ.get("CONSOLE_PASSWORD", ""))
        login._submit()

    QTimer.singleShot(0, ready)


def _probe_main_window() -> None:
    from PySide6.QtCore import QTimer

    def shown() -> None:
        _probe("main")
        app = QApplication.instance()
        if app is not None:
            app.quit()

    QTimer.singleShot(0, shown)


def _load_demo(db: Database) -> None:
    """The first --demo: load off the GUI thread, with a window that says what is happening."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QProgressDialog

    from console.services.demo import seed as demo
    from console.ui import theme
    from console.ui.runner import Runner

    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.apply(app)
    dialog = QProgressDialog("Preparing the demo data…", "", 0, 0)
    dialog.setWindowTitle(f"{APP_NAME} — loading the demo")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(420)
    dialog.show()
    if os.environ.get("CONSOLE_STARTUP_PROBE"):
        QApplication.processEvents()
        _probe("progress")
    runner = Runner()
    loop = QEventLoop()
    outcome: list[object] = []

    def report(step: tuple[str, int, int]) -> None:
        text, i, steps = step
        dialog.setMaximum(int(steps))
        dialog.setValue(int(i))
        dialog.setLabelText(f"{text}…" if i < steps else "Demo data loaded.")

    def finish(result: object) -> None:
        outcome.append(result)
        loop.quit()

    handle = runner.submit(
        lambda emit, _cancelled: demo.load(db, None, lambda *step: emit(step)),
        finish,
        finish,
        with_progress=True,
    )
    handle.progress.connect(report, Qt.ConnectionType.QueuedConnection)
    if not outcome:
        loop.exec()
    runner.wait()
    dialog.close()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]


def run_gui(args: argparse.Namespace) -> int:
    from console.cli.common import database_url
    from console.services import accounts, signin
    from console.services.context import Actor
    from console.store.db import Database, SignInRefused, open_database
    from console.ui.login import ChangePasswordDialog, FirstAdminDialog, LoginDialog
    from console.ui.main_window import MainWindow
    from console.ui.pages.base import SignIn, UiContext
    from console.ui.runner import Runner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    _install_crash_handler()
    from console.ui import theme

    if isinstance(app, QApplication):
        theme.apply(app)  # the sign-in window is styled too (fonts registered: ~20 ms)
    url = database_url(args)
    keep = int(config.load()["backup_keep"])
    db: Database | None
    try:
        try:
            db = open_database(url, daily_backups=keep)
        except SignInRefused:
            db = None  # team mode: the server lets in only whoever signs in below
        for warning in db.open_report.warnings if db else ():
            Ask.error(None, APP_NAME, warning)
        if args.demo and db is not None and not accounts.has_users(db):
            _load_demo(db)
            log.info("demo data loaded into a new database")
        has_users = db is not None and accounts.has_users(db)
    except ConsoleError as exc:
        Ask.fatal(None, APP_NAME, str(exc))
        return 1
    sign_in: SignIn | None = None
    if db is None or db.team is not None:
        # Each person signs in as their own database role (the server checks the password).
        def sign_in(name: str, password: str) -> tuple[Database, Actor]:
            return signin.connect(url, name, password, daily_backups=keep)

    runner = Runner()
    actor: list[Actor] = []
    if db is not None and not has_users:
        first = FirstAdminDialog(db, runner)
        first.created.connect(actor.append)
        if first.exec() != QDialog.DialogCode.Accepted:
            return 0
    else:
        where = db.describe() if db else Database(url).describe()
        login = LoginDialog(db, runner, sign_in=sign_in, where=where)
        if args.user:
            login.user_edit.setText(args.user)
            login.password_edit.setFocus()
        login.signed_in.connect(actor.append)
        probe = os.environ.get("CONSOLE_STARTUP_PROBE")
        if probe:
            _probe_startup(login, probe)
        if login.exec() != QDialog.DialogCode.Accepted:
            return 0
        if db is not None and login.database is not db:
            db.dispose()  # the connection that only found out it is team mode
        db = login.database
    assert db is not None
    if accounts.must_change_password(db, actor[0]):
        change = ChangePasswordDialog(db, runner, actor[0], required=True)
        if change.exec() != QDialog.DialogCode.Accepted:
            return 0
    window = MainWindow(
        UiContext(db, runner, actor[0], sign_in),
        idle_minutes=int(config.load()["idle_lock_minutes"]),
    )
    window.show()
    if os.environ.get("CONSOLE_STARTUP_PROBE") == "main":
        _probe_main_window()
    from console.ui.integrity_watch import start_background_check

    check = start_background_check(window, window.ctx.db.sqlite_path)
    code = app.exec()
    if check is not None:
        check.wait()
    runner.wait()
    window.ctx.db.dispose()
    return int(code)
