"""Logging: a rotating file in the user's log folder, one logger per concern, no personal data."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from console.paths import user_log_dir

CATEGORIES = ("db", "import", "export", "ui", "cli", "auth", "audit", "backup", "requests", "legal")
_configured = False


def log_file_path() -> Path:
    override = os.environ.get("CONSOLE_LOG_DIR")
    folder = Path(override) if override else user_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "console.log"


def setup_logging(level: int = logging.INFO) -> None:
    """Attach the rotating file handler once. Messages name ids and counts, never people."""
    global _configured
    if _configured:
        return
    handler = logging.handlers.RotatingFileHandler(
        log_file_path(), maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True
