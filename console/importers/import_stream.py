"""The parsing half of an import: a file and its mapping into RecordRows, batch by batch.

The columnar parser (console.importers.columnar, columnar_records) does the work per batch;
this module turns its frames into the store's RecordRows and runs it in a worker process for a
big file (spawned, so it is safe beside Qt's threads) while the import service writes.

Items, in order: ("chunk", RecordRows, rows read so far, fraction of the file read or None) ...
then ("done", FileCounts, file format).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import ConsoleError, ValidationError
from console.importers.mapping import Mapping
from console.store.record_rows import RecordRows

Item = tuple[Any, ...]

# Files at least this big are parsed in a worker process while this one writes (2 cores: ~2x).
WORKER_MIN_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ImportJob:
    """What parsing a file into RecordRows needs: picklable, for a worker process."""

    path: Path
    mapping: Mapping
    default_region: str
    suppressed: list[tuple[str, str]]  # (kind, digest)
    digest: Callable[[str, str], str] | None  # how those digests were made (module-level)
    batch_rows: int
    # The id of the file's first record when the writer lets the parser give the ids (SQLite:
    # one writer, so max(id) + 1 holds for the whole transaction); None: each batch's records are
    # numbered 0, 1, 2 ... and the writer gives them ids.
    first_id: int | None = None
    # The site's reading limits (console.config.input_limits), read by the parent: a worker
    # process must not depend on the configuration files of the moment.
    limits: dict[str, int] = field(default_factory=dict)


def produce(job: ImportJob) -> Iterator[Item]:
    """Parse the file into RecordRows chunks, then its counts and format."""
    from console.importers.columnar import parse_columnar
    from console.importers.columnar_records import RecordBatches

    table = parse_columnar(
        job.path,
        job.mapping,
        default_region=job.default_region,
        batch_rows=job.batch_rows,
        **job.limits,
    )
    next_id = job.first_id or 0
    with RecordBatches(table, suppressed=job.suppressed, digest=job.digest) as stream:
        for batch in stream:
            first = next_id if job.first_id is not None else 0
            rows = to_rows(batch.records, batch.identifiers, first)
            if job.first_id is not None:
                next_id += len(rows)
            yield ("chunk", rows, batch.read, batch.fraction_read)
        yield ("done", stream.counts, stream.file_format)


def to_rows(records: Any, identifiers: Any, first_id: int) -> RecordRows:
    """A RecordBatch's frames as RecordRows, records numbered from first_id."""
    import polars as pl

    n = records.height
    times = records["collected_at"].dt.epoch("us")
    return RecordRows(
        list(range(first_id, first_id + n)),
        records["row_number"].to_list(),
        times.to_list(),
        records["dedupe_key"].to_list(),
        records["values_json"].to_list(),
        records["categories_json"].to_list(),
        records["search_text"].to_list(),
        (identifiers["record"].cast(pl.Int64) + first_id).to_list(),
        _shared(identifiers["column"].to_list()),
        _shared(identifiers["kind"].to_list()),
        identifiers["value"].to_list(),
        identifiers["key"].to_list(),
    )


def _shared(names: list[str]) -> list[str]:
    """The same strings, each distinct one a single object: a column's name repeated on every
    identifier row is then pickled once per chunk (the writer's unpickling: 2.8 -> 1.4 s per
    million records)."""
    first: dict[str, str] = {}
    return [first.setdefault(name, name) for name in names]


def use_worker(path: Path) -> bool:
    if getattr(sys, "frozen", False):
        return False  # a frozen build cannot start a plain Python worker
    try:
        return path.stat().st_size >= WORKER_MIN_BYTES
    except OSError:
        return False


def _worker_main(job: ImportJob, out: Any) -> None:
    """In the worker process: send every item of produce(), or the error that stopped it."""
    try:
        for item in produce(job):
            out.send(item)
    except ConsoleError as exc:
        out.send(("error", "known", exc.message))
    except Exception as exc:  # reported to the parent, which raises it
        out.send(("error", "bug", f"{type(exc).__name__}: {exc}"))
    finally:
        out.close()


class WorkerItems(Iterator[Item]):
    """produce()'s items, computed in a worker process (spawned: safe beside Qt's threads)."""

    def __init__(self, job: ImportJob) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_worker_main, args=(job, send), daemon=True)
        self._process.start()
        send.close()
        self._done = False

    def __iter__(self) -> Iterator[Item]:
        return self

    def __next__(self) -> Item:
        if self._done:
            raise StopIteration
        try:
            item: Item = self._recv.recv()
        except EOFError:
            self.close()
            raise RuntimeError("the import worker process ended without a result") from None
        if item[0] == "error":
            self.close()
            if item[1] == "known":
                raise ValidationError(item[2])
            raise RuntimeError(f"import worker: {item[2]}")
        if item[0] == "done":
            self._done = True
        return item

    def close(self) -> None:
        self._done = True
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._recv.close()


def items(job: ImportJob) -> Iterator[Item]:
    """produce(job)'s items: from a worker process for a big file, else from this one."""
    return WorkerItems(job) if use_worker(job.path) else produce(job)
