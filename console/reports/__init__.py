"""Report engine: a neutral document model rendered to PDF and XLSX, exported atomically."""

from console.reports.document import (
    BarChart,
    Column,
    Document,
    KeyValues,
    Note,
    Paragraph,
    ReportMeta,
    Section,
    Table,
)
from console.reports.engine import ExportResult, FileCheck, export, verify_file
from console.reports.errors import ExportCancelled, ExportError, ReportError

__all__ = [
    "BarChart",
    "Column",
    "Document",
    "ExportCancelled",
    "ExportError",
    "ExportResult",
    "FileCheck",
    "KeyValues",
    "Note",
    "Paragraph",
    "ReportError",
    "ReportMeta",
    "Section",
    "Table",
    "export",
    "verify_file",
]
