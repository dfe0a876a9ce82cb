"""The import path through the columnar parser and the store's RecordRows writer (issue 19).

The old row-by-row producer (console.services.import_rows.produce) is the reference: the new
one gives the same records and identifier rows, and an import through the service stores
exactly those rows, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from console.importers.errors import ImportFileError
from console.importers.import_stream import ImportJob, produce
from console.importers.mapping import Mapping
from console.paths import data_path
from console.services.context import Actor
from console.services.demo.records import DEMO_SOURCES
from console.services.records import imports, sources
from console.services.records import search as records
from console.services.records.import_rows import Job
from console.services.records.import_rows import produce as old_produce
from console.services.records.suppression import digest_of
from console.store import bulk_records
from console.store.db import Database
from console.store.record_rows import micros, moment
from console.store.records_models import Record, RecordIdentifier
from console.store.search_backend import sqlite_datetime
from tests.unit.importers.test_columnar_equivalence import HEADER, MAPPING, _row
from tests.unit.services.records_data import CRM_HEADER, CRM_MAPPING, write_csv

UTC = dt.UTC


def _old(path: Path, mapping: Mapping, region: str, suppressed: list[tuple[str, str]]) -> Any:
    job = Job(path, mapping, region, 1, 1, list(suppressed), chunk_rows=7, first_id=1, sqlite=True)
    rows: list[tuple[Any, ...]] = []
    found: list[tuple[Any, ...]] = []
    counts = None
    for item in old_produce(job):
        if item[0] == "chunk":
            rows += [(r[0], r[3], r[4], r[5], r[6], r[7], r[8]) for r in item[1]]
            found += [tuple(f) for f in item[2]]
        else:
            counts = item[1]
    assert counts is not None
    return rows, found, (counts.read, counts.duplicate, counts.suppressed, counts.rejected)


def _new(
    path: Path,
    mapping: Mapping,
    region: str,
    suppressed: list[tuple[str, str]],
    batch_rows: int,
) -> Any:
    job = ImportJob(path, mapping, region, list(suppressed), digest_of, batch_rows, first_id=1)
    rows: list[tuple[Any, ...]] = []
    found: list[tuple[Any, ...]] = []
    counts = None
    for item in produce(job):
        if item[0] == "chunk":
            r = item[1]
            rows += zip(
                r.ids,
                r.row_number,
                [sqlite_datetime(moment(t)) for t in r.collected_at],
                r.dedupe_key,
                r.values_json,
                r.categories_json,
                r.search_text,
                strict=True,
            )
            found += zip(
                r.identifier_record,
                r.identifier_column,
                r.identifier_kind,
                r.identifier_value,
                r.identifier_key,
                strict=True,
            )
        else:
            counts = item[1]
    assert counts is not None
    return rows, found, (counts.read, counts.duplicate, counts.suppressed, counts.rejected)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(_row, min_size=1, max_size=25),
    repeats=st.lists(st.integers(0, 24), max_size=6),
    keyed=st.booleans(),
    region=st.sampled_from(["US", "GB", "DE"]),
    batch_rows=st.sampled_from([1, 4, 50_000]),
    suppress=st.booleans(),
)
def test_old_and_new_pipelines_give_the_same_ids_identifiers_search_text_and_keys(
    rows: list[tuple[str, ...]],
    repeats: list[int],
    keyed: bool,
    region: str,
    batch_rows: int,
    suppress: bool,
) -> None:
    mapping = MAPPING if keyed else Mapping(dict(MAPPING.columns), [])
    # Some rows again, identical: a record key makes them duplicates, without one they are records.
    rows = rows + [rows[i % len(rows)] for i in repeats]
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([HEADER, *rows])
    chosen = [("email", digest_of("email", "a@b.com"))] if suppress else []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        try:
            old = _old(path, mapping, region, chosen)
        except ImportFileError as exc:  # not a table at all (too much binary data): both say so
            refusal = exc.message
        else:
            refusal = ""
        if refusal:
            with pytest.raises(ImportFileError, match=re.escape(refusal)):
                _new(path, mapping, region, chosen, batch_rows)
            return
        new = _new(path, mapping, region, chosen, batch_rows)
    assert new[2] == old[2]
    assert new[0] == old[0]
    assert new[1] == old[1]


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 1),
        max_value=dt.datetime(9999, 12, 31, 23, 59, 59, 999_999),
        timezones=st.just(UTC),
    )
)
def test_sqlite_stores_a_time_as_sqlalchemy_would(when: dt.datetime) -> None:
    """The writer turns microseconds into SQLite's stored text in SQL: the same text, any time."""
    expression = bulk_records._SQLITE_TIME.replace("?5", ":t")
    with sqlite3.connect(":memory:") as conn:
        stored = conn.execute(f"SELECT {expression}", {"t": micros(when)}).fetchone()[0]
    assert stored == sqlite_datetime(when)
    assert moment(micros(when)) == when


def _stored(db: Database, batch_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with db.read() as s:
        rows = s.execute(
            select(
                Record.row_number,
                Record.collected_at,
                Record.dedupe_key,
                Record.values_json,
                Record.categories_json,
                Record.search_text,
                Record.id,
            )
            .where(Record.batch_id == batch_id)
            .order_by(Record.id)
        ).all()
        place = {r.id: i for i, r in enumerate(rows)}
        found = s.execute(
            select(
                RecordIdentifier.record_id,
                RecordIdentifier.column,
                RecordIdentifier.kind,
                RecordIdentifier.value,
                RecordIdentifier.key,
            ).where(RecordIdentifier.record_id.in_(list(place)))
        ).all()
    records_ = [
        (
            r.row_number,
            None if r.collected_at is None else r.collected_at.replace(tzinfo=UTC),
            *r[2:6],
        )
        for r in rows
    ]
    return records_, sorted((place[f[0]], *f[1:]) for f in found)


@pytest.mark.parametrize("index", range(len(DEMO_SOURCES)), ids=[s[5] for s in DEMO_SOURCES])
def test_every_sample_source_is_stored_as_the_old_pipeline_built_it(
    any_db: Database, any_admin: Actor, index: int
) -> None:
    name, kind, region, _, _, file_name, mapping_json = DEMO_SOURCES[index]
    mapping = Mapping.from_json(mapping_json, source_name=name)
    path = Path(data_path("demo", file_name))
    sources.add_source(any_db, any_admin, name, kind, default_region=region)
    result = imports.run_import(any_db, any_admin, path, name, mapping)
    assert result.status == "completed" and result.rows_imported
    old_rows, old_found, _ = _old(path, mapping, region, [])
    place = {r[0]: i for i, r in enumerate(old_rows)}
    expected = [
        (
            r[1],
            None if r[2] is None else dt.datetime.fromisoformat(r[2]).replace(tzinfo=UTC),
            *r[3:7],
        )
        for r in old_rows
    ]
    stored, found = _stored(any_db, result.batch_id)
    assert stored == expected
    assert found == sorted((place[f[0]], *f[1:]) for f in old_found)


# -- row identity ----------------------------------------------------------------------------
EVENTS = ["event", "email", "at"]
EVENT_ROWS = [
    ["login", "a@example.com", "2024-01-02T10:00:00Z"],
    ["click", "a@example.com", "2024-01-02T10:00:05Z"],
    ["click", "a@example.com", "2024-01-02T10:00:05Z"],  # fired twice
    ["logout", "b@example.com", "2024-01-02T10:01:00Z"],
]
EVENT_MAPPING = {
    "columns": {
        "email": {"identifier": "email", "category": "contact.email"},
        "at": {"role": "collected_at"},
    },
    "record_key": [],
}


def _events(db: Database, actor: Actor, path: Path) -> imports.ImportResult:
    return imports.run_import(
        db, actor, path, "Events", Mapping.from_json(EVENT_MAPPING, source_name="t")
    )


def test_two_identical_rows_of_one_file_are_two_records_told_apart_by_row_number(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Events", "web_form")
    result = _events(any_db, any_admin, write_csv(tmp_path / "events.csv", EVENTS, EVENT_ROWS))
    assert (result.rows_imported, result.rows_duplicate) == (4, 0)
    clicks = records.records_by_id(
        any_db, any_admin, records.search_ids(any_db, any_admin, "click")
    )
    assert sorted(r.row_number for r in clicks) == [2, 3]
    assert {r.values["event"] for r in clicks} == {"click"}
    # Both are found by the person's identifier, like any other record of hers.
    assert len(records.lookup(any_db, any_admin, "email", "a@example.com")) == 3


def test_the_same_file_again_adds_nothing_even_under_another_name(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Events", "web_form")
    first = _events(any_db, any_admin, write_csv(tmp_path / "events.csv", EVENTS, EVENT_ROWS))
    copy = tmp_path / "events (1).csv"
    copy.write_bytes((tmp_path / "events.csv").read_bytes())
    again = _events(any_db, any_admin, copy)
    assert again.batch_id == first.batch_id and again.rows_imported == 0
    assert "already imported" in again.message
    assert sources.get_source(any_db, any_admin, "Events").record_count == 4


def test_a_later_export_without_a_key_adds_only_the_copies_it_did_not_hold_before(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Events", "web_form")
    _events(any_db, any_admin, write_csv(tmp_path / "events.csv", EVENTS, EVENT_ROWS))
    later = [
        *EVENT_ROWS[1:],  # the same two clicks and the logout, in other rows
        ["click", "a@example.com", "2024-01-02T10:00:05Z"],  # a third copy: new
        ["login", "c@example.com", "2024-01-03T09:00:00Z"],  # new
    ]
    result = _events(any_db, any_admin, write_csv(tmp_path / "events-2.csv", EVENTS, later))
    assert (result.rows_imported, result.rows_duplicate) == (2, 3)
    assert sources.get_source(any_db, any_admin, "Events").record_count == 6


def test_a_later_export_with_a_record_key_still_deduplicates_against_earlier_ones(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Shop", "crm")
    mapping = Mapping.from_json(
        {"columns": {"email": {"identifier": "email"}}, "record_key": ["id"]}, source_name="t"
    )
    first = write_csv(
        tmp_path / "a.csv", ["id", "email"], [["1", "a@example.com"], ["2", "b@example.com"]]
    )
    imports.run_import(any_db, any_admin, first, "Shop", mapping)
    # The same customers again (one with a changed e-mail) and one new: keyed by id.
    later = write_csv(
        tmp_path / "b.csv",
        ["id", "email"],
        [["1", "a@example.com"], ["2", "b2@example.com"], ["3", "c@example.com"], ["3", "c@x.com"]],
    )
    result = imports.run_import(any_db, any_admin, later, "Shop", mapping)
    assert (result.rows_imported, result.rows_duplicate) == (1, 3)
    assert sources.get_source(any_db, any_admin, "Shop").record_count == 3


def test_a_big_file_is_parsed_in_a_worker_process_with_the_same_result(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.importers import import_stream

    rows = [[f"C{i}", f"p{i}@example.com", "", f"Person {i}", ""] for i in range(300)]
    rows.append(["C1", "again@example.com", "", "Repeat", ""])  # a repeated key: a duplicate
    path = write_csv(tmp_path / "big.csv", CRM_HEADER, rows)
    crm_mapping = Mapping.from_json(CRM_MAPPING, source_name="t")
    sources.add_source(db, admin, "In process", "crm")
    sources.add_source(db, admin, "In a worker", "crm")
    here = imports.run_import(db, admin, path, "In process", crm_mapping)
    monkeypatch.setattr(import_stream, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 64)
    spawned: list[object] = []
    real = import_stream.WorkerItems
    monkeypatch.setattr(import_stream, "WorkerItems", lambda job: spawned.append(job) or real(job))
    there = imports.run_import(db, admin, path, "In a worker", crm_mapping)
    assert spawned
    assert (there.rows_read, there.rows_imported, there.rows_duplicate) == (301, 300, 1)
    assert _stored(db, there.batch_id) == _stored(db, here.batch_id)


def test_a_worker_that_meets_a_bad_file_fails_the_import_and_keeps_nothing(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.importers import import_stream

    monkeypatch.setattr(import_stream, "WORKER_MIN_BYTES", 0)
    path = write_csv(tmp_path / "wrong.csv", ["Name"], [["Ana"]])
    sources.add_source(db, admin, "CRM", "crm")
    result = imports.run_import(
        db, admin, path, "CRM", Mapping.from_json(CRM_MAPPING, source_name="t")
    )
    assert result.status == "failed" and "wrong.csv" in result.message
    assert sources.get_source(db, admin, "CRM").record_count == 0
