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
