"""Publishing the half-yearly transparency report: an export through the report catalogue, so it is
checked and audited like every other report."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from console.domain.legal import HalfYear
from console.reports import ExportResult
from console.services.context import Actor
from console.services.reporting.catalogue import run_report
from console.services.reporting.spec import Format, ReportParams
from console.store.db import Database


def export_transparency(
    db: Database, actor: Actor, half: HalfYear, path: Path, fmt: Format, *, force: bool = False
) -> ExportResult:
    """Export through the catalogue, so the export is audited like every other report."""
    return run_report(
        db,
        actor,
        "transparency",
        fmt,
        path,
        ReportParams(since=half.start, until=_last_day(half)),
        force=force,
    )


def _last_day(half: HalfYear) -> date:
    return half.end - timedelta(days=1)
