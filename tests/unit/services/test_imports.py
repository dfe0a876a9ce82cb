"""Imports: one transaction per file, dedupe, suppression, rejected rows, batches and undo."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from console.domain.permissions import Role
from console.errors import PermissionDenied, ValidationError
from console.importers.mapping import Mapping
from console.services import audit
from console.services.context import Actor
from console.services.records import batches as import_batches
from console.services.records import erasure, import_rejects, imports, sources, suppression
from console.services.records import search as records
from console.store.db import Database
from console.store.records_models import ImportBatch
from tests.fixtures import UserMaker
from tests.unit.services.records_data import CRM_HEADER, CRM_MAPPING, CRM_ROWS, crm, write_csv


def _mapping() -> Mapping:
    return Mapping.from_json(CRM_MAPPING, source_name="test")


def test_an_import_keeps_every_row_with_its_number_and_batch(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    result = crm(any_db, any_admin, tmp_path)
    assert (result.status, result.rows_read, result.rows_imported) == ("completed", 6, 6)
    rows = records.records_by_id(any_db, any_admin, records.search_ids(any_db, any_admin, "Zoë"))
    assert len(rows) == 1
    assert rows[0].row_number == 2 and rows[0].batch_id == result.batch_id
    assert rows[0].values["Full Name"] == "Zoë Martin" and rows[0].source == "CRM"
    assert ("phone", "+442079460001") in rows[0].identifiers
    assert rows[0].categories["Email"] == "contact.email"


def test_placeholder_values_are_never_identifiers(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    row = records.records_by_id(any_db, any_admin, records.search_ids(any_db, any_admin, "Łukasz"))[
        0
    ]
    kinds = {kind for kind, _ in row.identifiers}
    assert "email" not in kinds and "phone" not in kinds


def test_importing_the_same_file_again_adds_nothing(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    first = crm(any_db, any_admin, tmp_path)
    again = imports.run_import(any_db, any_admin, tmp_path / "crm.csv", "CRM", _mapping())
    assert again.rows_imported == 0 and again.rows_duplicate == 6
    assert again.batch_id == first.batch_id


def test_an_overlapping_export_adds_only_its_new_rows(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    newer = write_csv(
        tmp_path / "crm2.csv",
        CRM_HEADER,
        [*CRM_ROWS, ["C9", "new@example.com", "", "New Person", ""]],
    )
    result = imports.run_import(any_db, any_admin, newer, "CRM", _mapping())
    assert (result.rows_imported, result.rows_duplicate) == (1, 6)
    assert sources.get_source(any_db, any_admin, "CRM").record_count == 7
    # The new row's identifiers are its own; the rows already there have theirs only once.
    new = records.records_by_id(
        any_db, any_admin, records.lookup(any_db, any_admin, "email", "NEW@example.com")
    )
    assert [(r.row_number, r.identifiers) for r in new] == [
        (7, [("customer_id", "C9"), ("email", "new@example.com"), ("name", "new person")])
    ]
    assert len(records.lookup(any_db, any_admin, "customer_id", "C1")) == 1


def test_rows_of_a_suppressed_person_are_skipped_and_counted(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "CRM", "crm")
    with any_db.transaction() as s:
        suppression.add_suppression(
            s, any_admin, "email", " ANA@example.com ", reason="erased", request_ref="DSR-1"
        )
    path = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    result = imports.run_import(any_db, any_admin, path, "CRM", _mapping())
    assert (result.rows_imported, result.rows_suppressed) == (5, 1)
    assert records.search_ids(any_db, any_admin, "Jürgen") == []


def _one_good_one_short(db: Database, admin: Actor, folder: Path) -> Path:
    """A CRM source and a file of one good row and one with too few fields."""
    sources.add_source(db, admin, "CRM", "crm")
    path = folder / "bad.csv"
    path.write_text(
        "Customer ID,Email,Phone,Full Name,IP\nC1,a@example.com,,A,\nC2,b@example.com\n",
        encoding="utf-8",
    )
    return path


def test_a_row_with_the_wrong_number_of_fields_is_rejected_naming_row_and_file(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    path = _one_good_one_short(any_db, any_admin, tmp_path)
    result = imports.run_import(any_db, any_admin, path, "CRM", _mapping())
    assert result.rows_imported == 1 and result.rows_rejected == 1
    assert result.rows_read == 2  # every data row of the file, the rejected one included
    assert "bad.csv, row 2" in result.rejected[0].message(result.file_name)
    out = tmp_path / "rejected.csv"
    import_rejects.write_rejected_csv(any_db, any_admin, result, out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["file", "row", "column", "reason", "field 1", "field 2"]
    assert rows[1] == [
        "bad.csv",
        "2",
        "Phone",
        "the row has 2 fields; the header has 5.",
        "C2",
        "b@example.com",
    ]


def test_a_mapping_naming_a_missing_column_fails_the_import_and_keeps_nothing(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "CRM", "crm")
    path = write_csv(tmp_path / "crm.csv", ["Email"], [["a@example.com"]])
    result = imports.run_import(any_db, any_admin, path, "CRM", _mapping())
    assert result.status == "failed"
    assert 'crm.csv, column "Customer ID"' in result.message
    assert sources.get_source(any_db, any_admin, "CRM").record_count == 0
    assert import_batches.list_batches(any_db, any_admin)[0].status == "failed"
    event = [e for e in audit.list_events(any_db, any_admin) if e.action == "records.import_failed"]
    assert event[-1].details["reason"] == result.message
    assert event[-1].details["file_sha256"] == imports.file_sha256(path)


def test_a_cancelled_import_leaves_no_rows_and_shows_as_cancelled(
    any_db: Database, any_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    sources.add_source(any_db, any_admin, "CRM", "crm")
    rows = [[f"C{i}", f"p{i}@example.com", "", f"Person {i}", ""] for i in range(100)]
    path = write_csv(tmp_path / "big.csv", CRM_HEADER, rows)
    seen: list[int] = []
    result = imports.run_import(
        any_db,
        any_admin,
        path,
        "CRM",
        _mapping(),
        progress=lambda rows, _fraction: seen.append(rows),
        cancelled=lambda: len(seen) >= 3,
    )
    assert result.status == "cancelled"
    assert sources.get_source(any_db, any_admin, "CRM").record_count == 0
    assert records.search_ids(any_db, any_admin, "Person") == []
    assert import_batches.list_batches(any_db, any_admin)[0].status == "cancelled"


def test_a_batch_left_running_by_a_dead_process_shows_as_interrupted(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    result = crm(any_db, any_admin, tmp_path)
    with any_db.transaction() as s:
        batch = s.get(ImportBatch, result.batch_id)
        assert batch is not None
        batch.status, batch.pid = "running", 2**22 + 12345  # no such process
    assert import_batches.list_batches(any_db, any_admin)[0].status == "interrupted"
    with pytest.raises(ValidationError, match=r"was interrupted.*nothing to undo"):
        import_batches.undo_batch(any_db, any_admin, result.batch_id)


def test_an_undone_import_removes_its_rows_and_is_audited(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    result = crm(any_db, any_admin, tmp_path)
    assert import_batches.undo_batch(any_db, any_admin, result.batch_id) == 6
    assert records.search_ids(any_db, any_admin, "Zoë") == []
    assert records.lookup(any_db, any_admin, "email", "zoe@example.com") == []
    assert import_batches.list_batches(any_db, any_admin)[0].status == "undone"
    assert "records.import_undo" in [e.action for e in audit.list_events(any_db, any_admin)]
    again = imports.run_import(any_db, any_admin, tmp_path / "crm.csv", "CRM", _mapping())
    assert again.rows_imported == 6


def test_an_import_with_held_records_cannot_be_undone(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    result = crm(any_db, any_admin, tmp_path)
    ids = records.lookup(any_db, any_admin, "email", "zoe@example.com")
    with any_db.transaction() as s:
        erasure.place_hold(s, ids, hold_ref="LH-1", reason="case 1", until=None)
    with pytest.raises(ValidationError, match="legal hold"):
        import_batches.undo_batch(any_db, any_admin, result.batch_id)


def test_preview_proposes_a_mapping_then_offers_the_saved_one(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "CRM", "crm")
    path = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    first = imports.preview(any_db, any_admin, path, "CRM", rows=3)
    assert first.proposed and first.headers == CRM_HEADER and len(first.sample_rows) == 3
    assert first.mapping.columns["Email"].identifier == "email"
    imports.run_import(any_db, any_admin, path, "CRM", _mapping())
    second = imports.preview(any_db, any_admin, path, "CRM")
    assert not second.proposed and second.mapping == _mapping()


def test_the_preview_numbers_rows_as_the_file_does_and_names_rows_it_will_reject(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "CRM", "crm")
    path = tmp_path / "crm.csv"
    path.write_text("Customer ID,Email\nC1,a@example.com\nC2\nC3,c@example.com\n", encoding="utf-8")
    pv = imports.preview(any_db, any_admin, path, "CRM")
    assert [r[0] for r in pv.sample_rows] == ["C1", "C3"]
    assert pv.sample_numbers == [1, 3]  # the rejected list will call the bad row "row 2" too
    assert pv.rejects == ['crm.csv, row 2, column "Email": the row has 1 field; the header has 2.']


def test_xlsx_and_json_lines_exports_import_too(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Cards", "event")
    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Email"])
    ws.append(["Αλέξανδρος", "alex@example.gr"])
    wb.save(tmp_path / "cards.xlsx")
    result = imports.run_import(any_db, any_admin, tmp_path / "cards.xlsx", "Cards")
    assert result.status == "completed" and result.rows_imported == 1
    assert records.lookup(any_db, any_admin, "email", "ALEX@example.gr")


def test_an_auditor_cannot_import(
    any_db: Database, any_make_user: UserMaker, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "CRM", "crm")
    path = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    with pytest.raises(PermissionDenied):
        imports.run_import(any_db, any_make_user(Role.AUDITOR), path, "CRM")


def test_the_first_import_builds_the_identifier_index_that_lookups_use(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    # Into an empty identifier table the index is dropped and built once at the end (with its
    # own sort settings): it must exist afterwards, be used by a lookup, and the connection must
    # be left with its single-threaded default.
    crm(db, admin, tmp_path)
    with db.engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'record_identifiers'"
        ).scalars()
        assert "ix_record_identifiers_key" in set(names)
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT record_id FROM record_identifiers WHERE key = 1"
            )
        )
        assert "ix_record_identifiers_key" in plan
        assert conn.exec_driver_sql("PRAGMA threads").scalar() == 0
    assert records.lookup(db, admin, "phone", "+44 20 7946 0001")


def test_values_that_cannot_link_anyone_are_counted_and_named_not_dropped_silently(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Forms", "web_form")
    path = write_csv(
        tmp_path / "forms.csv",
        ["Email", "Phone", "Submitted"],
        [
            ["ok@example.com", "(555) 010-1234", "2024-03-01T10:00:00Z"],
            ["not-an-email", "+1 555 0199", "2024-03-02T10:00:00Z"],
            ["also bad@", "", "the day before yesterday"],
            ["n/a", "(555) 010-9876", "2024-03-04T10:00:00Z"],
        ],
    )
    mapping = Mapping.from_json(
        {
            "columns": {
                "Email": {"identifier": "email", "category": "contact.email"},
                "Phone": {"identifier": "phone", "category": "contact.phone"},
                "Submitted": {"role": "collected_at"},
            }
        },
        source_name="test",
    )
    result = imports.run_import(any_db, any_admin, path, "Forms", mapping)
    assert result.rows_imported == 4
    unusable = {u.column: (u.kind, u.count, u.first_row) for u in result.unusable}
    assert unusable == {
        "Email": ("email", 3, 2),  # two malformed, one placeholder
        "Phone": ("phone", 1, 2),
        "Submitted": ("collected_at", 1, 3),
    }
    assert 'column "Email": 3 values not a usable email (kept as text; first at row 2)' in (
        result.message
    )
    assert 'column "Submitted": 1 value not a date and time' in result.message
    # Kept as text: the row is still found by what it holds.
    assert len(records.search_ids(any_db, any_admin, "not-an-email")) == 1
    batch = import_batches.list_batches(any_db, any_admin, "Forms")[0]
    assert "Not linked" in batch.message


def test_a_mapping_category_the_policy_does_not_define_is_refused_before_anything_is_kept(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    from console.services import policy

    policy.ensure_default_pack(any_db, any_admin)
    sources.add_source(any_db, any_admin, "CRM", "crm")
    path = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    wrong = dict(CRM_MAPPING, columns={**CRM_MAPPING["columns"]})  # type: ignore[arg-type]
    wrong["columns"]["Email"] = {"identifier": "email", "category": "contact.e_mail"}
    mapping = Mapping.from_json(wrong, source_name="test")
    with pytest.raises(ValidationError, match=r'crm.csv, column "Email".*"contact.e_mail"'):
        imports.run_import(any_db, any_admin, path, "CRM", mapping)
    assert import_batches.list_batches(any_db, any_admin, "CRM") == []
    with pytest.raises(ValidationError, match=r"contact\.e_mail"):
        sources.add_source(any_db, any_admin, "Web", "web_form", categories=["contact.e_mail"])
    sources.add_source(any_db, any_admin, "Web", "web_form", categories=["contact.email"])


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_progress_says_how_much_of_the_file_is_read(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    import json as json_module

    monkeypatch.setattr(imports, "CHUNK_ROWS", 100)
    sources.add_source(db, admin, "Shop", "web_form")
    path = tmp_path / f"shop.{suffix}"
    # 1,050 rows: ten full chunks and a short last one, handed on after the file is closed.
    people = [{"email": f"p{i}@example.com", "name": f"Person {i}"} for i in range(1050)]
    if suffix == "csv":
        write_csv(path, ["email", "name"], [[p["email"], p["name"]] for p in people])
    else:
        path.write_text("".join(json_module.dumps(p) + "\n" for p in people), encoding="utf-8")
    seen: list[tuple[int, float | None]] = []
    result = imports.run_import(db, admin, path, "Shop", progress=lambda r, f: seen.append((r, f)))
    assert result.rows_imported == 1050
    fractions = [f for _, f in seen]
    assert all(f is not None for f in fractions)
    assert fractions == sorted(fractions)  # type: ignore[type-var]
    assert seen[-2] == (1050, 1.0)  # the last chunk's own report, before the closing one
    assert len(seen) == 12
    assert 0.05 < fractions[0] < 0.5  # the first 100 of 1,000 rows, give or take read-ahead


def test_a_later_file_can_bring_back_the_rows_an_undone_import_shared_with_it(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    first = crm(any_db, any_admin, tmp_path)  # six rows
    later = write_csv(
        tmp_path / "crm-2.csv",
        CRM_HEADER,
        [*CRM_ROWS[:3], ["C7", "new@example.com", "", "New", ""]],
    )
    second = imports.run_import(any_db, any_admin, later, "CRM", _mapping())
    assert (second.rows_imported, second.rows_duplicate) == (1, 3)
    import_batches.undo_batch(any_db, any_admin, first.batch_id)
    assert sources.get_source(any_db, any_admin, "CRM").record_count == 1
    undone = next(
        b for b in import_batches.list_batches(any_db, any_admin) if b.id == first.batch_id
    )
    assert f"crm-2.csv (batch {second.batch_id})" in undone.message
    assert "import those files again" in undone.message
    # The later file's three shared rows went with the first batch; importing it again restores
    # them (its own new row is recognised as present), instead of "already imported".
    again = imports.run_import(any_db, any_admin, later, "CRM", _mapping())
    assert (again.status, again.rows_imported, again.rows_duplicate) == ("completed", 3, 1)
    assert again.batch_id != second.batch_id
    assert sources.get_source(any_db, any_admin, "CRM").record_count == 4


def test_after_an_undo_a_file_imported_since_is_still_recognised_as_already_imported(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    first = crm(any_db, any_admin, tmp_path)
    import_batches.undo_batch(any_db, any_admin, first.batch_id)
    later = write_csv(tmp_path / "other.csv", CRM_HEADER, [["C9", "nine@example.com", "", "N", ""]])
    done = imports.run_import(any_db, any_admin, later, "CRM", _mapping())
    again = imports.run_import(any_db, any_admin, later, "CRM", _mapping())
    # The undo came before this file was imported: nothing it counted can have gone since.
    assert again.batch_id == done.batch_id and again.rows_imported == 0
    assert len(import_batches.list_batches(any_db, any_admin, "CRM")) == 2


def test_a_repeated_file_reports_the_counts_of_its_import(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    path = _one_good_one_short(any_db, any_admin, tmp_path)
    imports.run_import(any_db, any_admin, path, "CRM", _mapping())
    again = imports.run_import(any_db, any_admin, path, "CRM", _mapping())
    assert (again.rows_read, again.rows_duplicate, again.rows_rejected) == (2, 1, 1)


def test_rows_with_an_empty_record_key_are_each_a_record_even_when_identical(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Forms", "web_form")
    path = write_csv(
        tmp_path / "forms.csv",
        ["ref", "email"],
        [
            ["", "a@example.com"],
            ["", "b@example.com"],
            ["", "b@example.com"],
            ["R1", "c@example.com"],
        ],
    )
    mapping = Mapping.from_json(
        {"columns": {"email": {"identifier": "email"}}, "record_key": ["ref"]}, source_name="t"
    )
    result = imports.run_import(any_db, any_admin, path, "Forms", mapping)
    # The two identical rows are two records (issue 19): a repeat is not a duplicate.
    assert (result.rows_imported, result.rows_duplicate) == (4, 0)
