"""Known errors of report export: a failed write or a cancelled export, fit to show the user."""

from __future__ import annotations

from console.errors import ConsoleError


class ReportError(ConsoleError):
    """Base class for known report errors."""


class ExportError(ReportError):
    """The report file could not be written (disk full, no permission, bad folder)."""


class ExportCancelled(ReportError):
    """The user cancelled the export; nothing was left under the final name."""
