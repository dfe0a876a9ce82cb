"""Known errors: things the environment or the user got wrong, shown as one clear message.

Anything else that escapes is a bug: it is logged and shown in a crash dialog, never as a known error.
Each area subclasses ConsoleError so callers can catch by area.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """A known error whose message is fit to show to the user as it is (no personal data in it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PermissionDenied(ConsoleError):
    """The acting user's role does not allow the action."""


class NotFound(ConsoleError):
    """A named object does not exist."""


class ValidationError(ConsoleError):
    """Input that cannot be accepted; the message names the field (and file/row/column for files)."""


class ConflictError(ConsoleError):
    """Someone else changed the object since it was read (team mode), or a uniqueness rule was hit."""


class AccountChanged(PermissionDenied):
    """The signed-in account was disabled, or its role changed, after sign-in: sign in again."""


DISK_FULL_MESSAGE = "The disk is full: nothing was changed."


class DiskFull(ConsoleError):
    """A write found no space (disk, quota or file-size limit); the change was rolled back whole."""

    def __init__(self, where: str = "") -> None:
        hint = (
            f" Free some space on the disk holding {where} and try again."
            if where
            else (" Free some space and try again.")
        )
        super().__init__(DISK_FULL_MESSAGE + hint)


# ENOSPC (no space), EDQUOT (over quota), EFBIG (past the file-size limit): to the user, all three
# are "the disk is full". Numbers rather than the errno names, which Windows lacks for EDQUOT.
_FULL_ERRNOS = frozenset({28, 122, 27})


def is_disk_full(exc: BaseException) -> bool:
    """Whether exc (or what it wraps) says there was no room to write: OS, SQLite or PostgreSQL."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        text = str(current)
        # sqlite3: SQLITE_FULL; PostgreSQL: SQLSTATE 53100 (disk_full), "No space left on device".
        if "database or disk is full" in text or "No space left on device" in text:
            return True
        if getattr(current, "sqlstate", None) == "53100":
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
