"""Logging: a rotating file in the user's log folder, one logger per concern, no personal data.

Messages name ids and counts, never people. As a safety net the file's formatter also redacts
anything that looks like an email address or a phone number, and any password this process was
given (see remember_secret), from messages and tracebacks alike.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import threading
from pathlib import Path

from console.filemodes import make_private_dir, private_file, private_opener
from console.paths import user_log_dir

CATEGORIES = (
    "db",
    "import",
    "export",
    "ui",
    "cli",
    "auth",
    "audit",
    "backup",
    "requests",
    "legal",
    "config",
)
LOG_FILE_NAME = "console.log"
REDACTED_EMAIL = "[email]"
REDACTED_PHONE = "[phone]"
REDACTED_SECRET = "[secret]"  # noqa: S105 - the marker that replaces a password, not one

_configured = False
_secrets: set[str] = set()
_secrets_lock = threading.Lock()

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits with the usual phone separators, optionally with a leading + or (.
_PHONE = re.compile(r"(?<![\w.:/-])(?:\+|\(|00)?\d[\d\s().\-/]{5,}\d(?![\w:])")
_DATE_OR_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}:\d{2}")


def logger(category: str) -> logging.Logger:
    """The logger of one concern; categories are the first name in every log line."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown log category {category!r}; add it to console.logs.CATEGORIES")
    return logging.getLogger(category)


def remember_secret(secret: str) -> str:
    """Never let this text reach a log file (e.g. the password typed at sign-in). Returns it."""
    if secret and len(secret) >= 4:
        with _secrets_lock:
            _secrets.add(secret)
    return secret


def forget_secrets() -> None:
    with _secrets_lock:
        _secrets.clear()


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if _DATE_OR_TIME.match(text) or not 7 <= digits <= 15:
        return text
    separators = {c for c in text if not c.isdigit()} - {" "}
    if separators == {"."} and text.count(".") == 1:  # a decimal number, not a phone
        return text
    if not separators and " " not in text and not text.startswith("+") and digits < 9:
        return text  # a count or an id, too short to be a phone number written without spaces
    return REDACTED_PHONE


def redact(text: str) -> str:
    """text with emails, phone numbers and remembered secrets replaced by markers."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, REDACTED_SECRET)
    text = _EMAIL.sub(REDACTED_EMAIL, text)
    return _PHONE.sub(_phone, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the message, the traceback and the stack (not the time)."""

    def format(self, record: logging.LogRecord) -> str:
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg = redact(record.getMessage())
        clean.args = None
        if record.exc_info:
            clean.exc_text = redact(record.exc_text or self.formatException(record.exc_info))
        elif record.exc_text:
            clean.exc_text = redact(record.exc_text)
        if record.stack_info:
            clean.stack_info = redact(record.stack_info)
        return super().format(clean)


def log_dir() -> Path:
    """The log folder (CONSOLE_LOG_DIR, else the user's), without creating it."""
    override = os.environ.get("CONSOLE_LOG_DIR")
    return Path(override) if override else user_log_dir(create=False)


def log_file_path() -> Path:
    folder = make_private_dir(log_dir())
    return folder / LOG_FILE_NAME


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file, the current one and each rotation, is 0600: it names ids, not people,
    but what the console did and when is nobody else's business."""

    def _open(self):  # type: ignore[no-untyped-def]
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )


def setup_logging(level: int = logging.INFO) -> None:
    """Attach the rotating file handler once (CONSOLE_LOG_LEVEL=DEBUG for more detail)."""
    global _configured
    if _configured:
        return
    handler = _PrivateRotatingFileHandler(
        log_file_path(), maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    private_file(Path(handler.baseFilename))  # made 0644 by an older version
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    named = os.environ.get("CONSOLE_LOG_LEVEL", "").upper()
    root.setLevel(getattr(logging, named) if named in ("DEBUG", "INFO", "WARNING") else level)
    # SQLAlchemy at INFO logs statements with their parameters: personal data. Never below WARNING.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    _configured = True
