"""Where things live: bundled resources and data (also inside a frozen build), and per-user directories."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "PrivacyOpsConsole"
APP_AUTHOR = "ClientPay"


def _bundle_root() -> Path:
    # PyInstaller unpacks (or places) bundled files under sys._MEIPASS; from a checkout, the repo root.
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A file under resources/ (fonts, icons), from a checkout, an installed package or a frozen build."""
    return _bundle_root().joinpath("resources", *parts)


def data_path(*parts: str) -> Path:
    """A file under data/ (policy packs, deadline rules, demo data)."""
    return _bundle_root().joinpath("data", *parts)


def user_data_dir() -> Path:
    """The user's data folder (the default database and its backups), private: 0700."""
    from console.filemodes import make_private_dir

    return make_private_dir(Path(platformdirs.user_data_dir(APP_DIR_NAME, APP_AUTHOR)))


def user_log_dir(*, create: bool = True) -> Path:
    """The user's log folder, private (0700) when this creates it."""
    from console.filemodes import make_private_dir

    path = Path(platformdirs.user_log_dir(APP_DIR_NAME, APP_AUTHOR))
    return make_private_dir(path) if create else path


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'console.db'}"
