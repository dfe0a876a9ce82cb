"""Bounded inputs: a field or a row past the site's limits is rejected without being read whole,
a JSON object with a key twice is rejected naming the key, and a served legal document is read
no further than its limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console import config
from console.errors import ValidationError
from console.importers.errors import ImportFileError, RowProblem
from console.importers.readers import open_table
from console.services.context import Actor
from console.services.legal.documents import read_served_file
from console.services.records import imports, sources
from console.store.db import Database

LIMITS = {"max_row_chars": 1000, "max_field_chars": 100}


def _rows(path: Path, **limits: int) -> list[object]:
    with open_table(path, **{**LIMITS, **limits}) as reader:
        return list(reader)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_csv_row_past_the_row_limit_is_rejected_and_the_next_rows_are_read(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "a.csv", b"Email,Name\na@x.org,Ana\nb@x.org," + b"y" * 5000 + b"\nc@x.org,Cy\n"
    )
    rows = _rows(path)
    assert rows[0] == (1, ["a@x.org", "Ana"]) and rows[2] == (3, ["c@x.org", "Cy"])
    assert isinstance(rows[1], RowProblem) and rows[1].row == 2
    assert rows[1].reason.startswith("the row is longer than 1,000 characters")
    assert "max_row_mb" in rows[1].reason


def test_a_quoted_record_over_many_lines_counts_against_the_row_limit(tmp_path: Path) -> None:
    many = b"\n".join([b"z" * 90] * 20)  # 20 short lines, 1,800 characters in one field
    path = _write(tmp_path / "q.csv", b'Email,Note\na@x.org,"' + many + b'"\n')
    rows = _rows(path, max_field_chars=10_000)
    assert isinstance(rows[0], RowProblem) and rows[0].row == 1
    assert "longer than 1,000 characters" in rows[0].reason


def test_a_csv_field_past_the_field_limit_rejects_its_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "f.csv", b"Email,Name\na@x.org," + b"n" * 300 + b"\nb@x.org,Bo\n")
    rows = _rows(path)
    assert rows[0] == RowProblem(
        1, None, "a field is longer than 100 characters (the site's limit, max_field_mb)."
    )
    assert rows[1] == (2, ["b@x.org", "Bo"])


def test_a_csv_whose_header_is_past_the_row_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.csv", b"x" * 5000)
    with pytest.raises(ImportFileError, match=r"h\.csv: the header row is longer than 1,000"):
        _rows(path)


def test_the_csv_field_limit_of_the_process_is_restored_after_reading(tmp_path: Path) -> None:
    import csv

    before = csv.field_size_limit()
    _rows(_write(tmp_path / "a.csv", b"A,B\n1,2\n"))
    assert csv.field_size_limit() == before


def test_a_json_line_past_the_row_limit_is_rejected_and_the_next_lines_are_read(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "l.jsonl",
        b'{"email": "a@x.org"}\n{"email": "' + b"b" * 5000 + b'"}\n{"email": "c@x.org"}\n',
    )
    rows = _rows(path)
    assert rows[0] == (1, ["a@x.org"]) and rows[2] == (3, ["c@x.org"])
    assert isinstance(rows[1], RowProblem) and "line is longer than 1,000" in rows[1].reason


def test_a_json_lines_file_of_one_overlong_line_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.jsonl", b'{"name": "' + b"x" * 5000)
    with pytest.raises(ImportFileError, match="the line is longer than 1,000 characters"):
        _rows(path)


def test_a_json_value_past_the_field_limit_rejects_its_row_naming_the_column(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "v.jsonl", json.dumps({"email": "a@x.org", "note": "n" * 300}).encode() + b"\n"
    )
    [problem] = _rows(path)
    assert isinstance(problem, RowProblem) and problem.column == "note"
    assert problem.reason.startswith("a field is longer than 100 characters")


def test_a_json_object_with_a_key_twice_is_rejected_naming_the_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "d.jsonl",
        b'{"email": "a@x.org"}\n{"email": "b@x.org", "name": "B", "email": "evil@x.org"}\n',
    )
    rows = _rows(path)
    assert rows[0] == (1, ["a@x.org"])  # keys of a rejected line make no column
    assert isinstance(rows[1], RowProblem)
    assert (rows[1].row, rows[1].column) == (2, "email")
    assert rows[1].reason == 'the key "email" appears twice in one object.'


def test_a_json_number_of_100000_digits_is_one_rejected_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "n.jsonl",
        b'{"email": "a@x.org", "n": ' + b"7" * 100_000 + b'}\n{"email": "b@x.org", "n": 1}\n',
    )
    rows = _rows(path, max_row_chars=1 << 20)
    assert rows[0] == RowProblem(
        1, None, "the line has a number with more than 4,300 digits.", rows[0].fields
    )  # type: ignore[union-attr]
    assert rows[1] == (2, ["b@x.org", "1"])


def test_the_site_configuration_sets_the_limits_the_import_uses(
    any_db: Database, any_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, admin = any_db, any_admin
    site = tmp_path / "config.toml"
    site.write_text("max_row_mb = 1\nmax_field_mb = 1\n", "utf-8")
    monkeypatch.setenv("CONSOLE_CONFIG", str(site))
    assert config.input_limits() == {"max_field_chars": 1 << 20, "max_row_chars": 1 << 20}
    sources.add_source(db, admin, "CRM", "crm")
    path = _write(
        tmp_path / "c.csv", b"Email,Name\na@x.org,Ana\nb@x.org," + b"y" * (2 << 20) + b"\n"
    )
    result = imports.run_import(db, admin, path, "CRM")
    assert result.rows_imported == 1
    assert [p.reason[:32] for p in result.rejected] == ["the row is longer than 1 MB (the"]


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_limit_below_one_megabyte_is_a_configuration_error(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "config.toml"
    site.write_text(f"max_row_mb = {value}\n", "utf-8")
    monkeypatch.setenv("CONSOLE_CONFIG", str(site))
    with pytest.raises(config.ConfigError, match="'max_row_mb' must be at least 1"):
        config.load()


def test_a_served_document_is_read_no_further_than_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    with path.open("wb") as f:
        f.truncate(3 << 30)  # 3 GB, sparse: only what is read costs anything
    with pytest.raises(ValidationError, match=r"larger than 1 MB \(the site's limit"):
        read_served_file(path, limit=1 << 20)
    small = tmp_path / "small.pdf"
    small.write_bytes(b"%PDF-1.7 " * 1000)
    assert read_served_file(small, limit=1 << 20) == small.read_bytes()


def test_a_device_is_refused_before_anything_is_read() -> None:
    with pytest.raises(ValidationError, match="not a file"):
        read_served_file(Path("/dev/zero"))
