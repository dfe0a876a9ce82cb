"""Export a report document to a file atomically, with a manifest that lets anyone verify it later.

A file appears under its final name only when it is complete and (through console.outfiles) its
audit event is committed; cancel and failure leave nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from console.errors import DiskFull, is_disk_full
from console.outfiles import Outgoing
from console.reports import document as d
from console.reports.errors import ExportCancelled, ExportError

log = logging.getLogger("export")

Format = Literal["pdf", "xlsx"]
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_VERSION = 1
PROGRESS_EVERY = 1_000


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    row_counts: dict[str, int]
    manifest_path: Path
    pages: int | None


@dataclass(frozen=True)
class FileCheck:
    ok: bool
    reason: str
    sha256: str | None
    manifest: dict[str, Any]


def manifest_path_for(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def export(
    document: d.Document,
    path: str | os.PathLike[str],
    fmt: Format,
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    outgoing: Outgoing | None = None,
    force: bool = False,
) -> ExportResult:
    """Render document to path as fmt, with PATH.manifest.json beside it.

    With outgoing (console.outfiles.Outgoing), both files are only staged in it: the caller
    commits its audit event, then publishes them. Without, they are published at once (for
    callers with no audit trail, e.g. the self-check). progress gets the number of rows written
    so far; cancelled is polled while rows stream. Raises ExportCancelled, ExportError,
    OutputError or DiskFull; in every case no file is left under either name.
    """
    if fmt not in ("pdf", "xlsx"):
        raise ValueError(f"unknown report format {fmt!r}")
    if outgoing is None:
        with Outgoing(force=force) as own:
            result = export(
                document, path, fmt, progress=progress, cancelled=cancelled, outgoing=own
            )
            own.publish()
            return result
    target = Path(path)
    counter = _RowCounter(progress, cancelled)
    keys = document.table_keys()
    counted = _with_counted_rows(document, keys, counter)
    report_tmp = outgoing.stage(target)
    target = outgoing.targets()[-1]
    manifest_tmp = outgoing.stage(manifest_path_for(target))
    try:
        with open(report_tmp, "wb") as out:
            pages = _render(counted, out, fmt)
            out.flush()
            os.fsync(out.fileno())
        counter.finish()
        digest, size = _hash_file(report_tmp)
        row_counts = {key: counter.counts.get(key, 0) for key in keys}
        manifest = _manifest(document.meta, target, fmt, row_counts, digest, size, pages)
        manifest_tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull(str(target.parent)) from exc
        raise ExportError(
            f"Could not write the report file {target.name}: {exc.strerror or exc}"
        ) from exc
    log.info(
        "exported %s as %s: %d rows, %d bytes", document.meta.report_name, fmt, counter.total, size
    )
    return ExportResult(target, digest, row_counts, manifest_path_for(target), pages)


def _render(document: d.Document, out: BinaryIO, fmt: Format) -> int | None:
    # The renderers (reportlab, openpyxl: about 0.4 s to import) load on the first export, not
    # when the window starts.
    if fmt == "pdf":
        from console.reports.pdf import render_pdf

        return render_pdf(document, out)
    from console.reports.xlsx import render_xlsx

    render_xlsx(document, out)
    return None


def _hash_file(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _manifest(
    meta: d.ReportMeta,
    target: Path,
    fmt: Format,
    row_counts: dict[str, int],
    digest: str,
    size: int,
    pages: int | None,
) -> dict[str, Any]:
    head = None
    if meta.chain_head is not None:
        head = {"seq": meta.chain_head[0], "hash": meta.chain_head[1]}
    return {
        "manifest_version": MANIFEST_VERSION,
        "file": target.name,
        "report": meta.report_name,
        "title": meta.title,
        "organisation": meta.organisation,
        "classification": meta.classification,
        "parameters": dict(meta.parameters),
        "format": fmt,
        "row_counts": row_counts,
        "pages": pages,
        "sha256": digest,
        "size": size,
        "generated_by": meta.generated_by,
        "generated_at": meta.generated_at.isoformat(),
        "app_version": meta.app_version,
        "chain_head": head,
    }


class _RowCounter:
    """Counts rows as renderers pull them, reports progress and raises when cancelled."""

    def __init__(
        self, progress: Callable[[int], None] | None, cancelled: Callable[[], bool] | None
    ) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self.counts: dict[str, int] = {}
        self.total = 0

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled("The export was cancelled; no file was written.")
        if self._progress is not None:
            self._progress(self.total)

    def tap(self, key: str, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
        self.check()
        count = 0
        for row in rows:
            yield row
            count += 1
            self.total += 1
            if count % PROGRESS_EVERY == 0:
                self.counts[key] = count
                self.check()
        self.counts[key] = count

    def finish(self) -> None:
        self.check()


def _with_counted_rows(document: d.Document, keys: list[str], counter: _RowCounter) -> d.Document:
    key_iter = iter(keys)
    sections = []
    for section in document.sections:
        blocks: list[d.Block] = []
        for block in section.blocks:
            if isinstance(block, d.Table):
                block = dataclasses.replace(block, rows=counter.tap(next(key_iter), block.rows))
            blocks.append(block)
        sections.append(dataclasses.replace(section, blocks=blocks))
    return dataclasses.replace(document, sections=sections)


def verify_file(path: str | os.PathLike[str]) -> FileCheck:
    """Check a report file against the manifest written beside it at export."""
    target = Path(path)
    manifest_file = manifest_path_for(target)
    try:
        digest, size = _hash_file(target)
    except FileNotFoundError:
        return FileCheck(False, f"{target.name} does not exist.", None, {})
    except OSError as exc:
        return FileCheck(False, f"{target.name} cannot be read: {exc.strerror}", None, {})
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except FileNotFoundError:
        return FileCheck(False, f"No manifest {manifest_file.name} beside the file.", digest, {})
    except (OSError, ValueError):
        return FileCheck(False, f"The manifest {manifest_file.name} is unreadable.", digest, {})
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sha256"), str):
        return FileCheck(False, f"The manifest {manifest_file.name} has no SHA-256.", digest, {})
    if manifest.get("size") != size:
        return FileCheck(
            False,
            f"Size differs: the manifest says {manifest.get('size')} bytes, the file has {size}.",
            digest,
            manifest,
        )
    if manifest["sha256"] != digest:
        return FileCheck(
            False, "SHA-256 differs: the file was changed after export.", digest, manifest
        )
    return FileCheck(True, "The file matches its manifest.", digest, manifest)
