"""The list of an import's rejected rows, saved to fix and import again: an export like any other."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from console import outfiles
from console.domain.permissions import Permission
from console.services.audit import record
from console.services.context import Actor
from console.services.records.imports import ImportResult
from console.store.db import Database


def write_rejected_csv(
    db: Database, actor: Actor, result: ImportResult, path: str | Path, *, force: bool = False
) -> Path:
    """The rejected rows with reasons and their fields as read, to fix and import again.

    They hold personal data, so the file leaves like any export (console.outfiles): recorded
    first (records.rejected_export, with its SHA-256), published after, never over a file
    unless force.
    """
    actor.require(Permission.IMPORT_RECORDS)
    widest = max((len(p.fields) for p in result.rejected), default=0)

    def write(part: Path) -> None:
        with part.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(
                ["file", "row", "column", "reason", *(f"field {i}" for i in range(1, widest + 1))]
            )
            for p in result.rejected:
                out.writerow(
                    [
                        _cell(result.file_name),
                        p.row,
                        _cell(p.column or ""),
                        _cell(p.reason),
                        *(_cell(f) for f in p.fields),
                    ]
                )

    def commit(part: Path) -> Path:
        with db.transaction() as s:
            record(
                s,
                actor,
                "records.rejected_export",
                "import_batch",
                result.batch_id or "",
                {
                    "rows": len(result.rejected),
                    "sha256": outfiles.sha256_of(part),
                },
            )
        return Path(os.path.abspath(Path(path).expanduser()))

    return outfiles.write_file(path, write, commit, force=force)


def _cell(text: str) -> str:
    # A spreadsheet must never run a formula that came from an imported file.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
