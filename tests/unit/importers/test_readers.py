"""File readers on real files: encodings, delimiters, damaged rows, hostile workbooks, JSON."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from console.importers.csv_reader import SAMPLE_BYTES
from console.importers.errors import ImportFileError, RowProblem
from console.importers.readers import open_table

HEADER = "Email,Name,Phone\r\n"
ROW = "zoe@example.org,Zoë Brontë,(555) 010-1234\r\n"


def rows_of(path: Path) -> list[object]:
    with open_table(path) as reader:
        return list(reader)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_the_encoding_is_judged_by_the_first_non_ascii_text_however_late(
    tmp_path: Path, encoding: str
) -> None:
    # Sorted exports often put every accented name after a long ASCII stretch.
    ascii_rows = "".join(f"user{i}@example.org,Plain Name{i},555-0100\n" for i in range(9000))
    late = "jose@example.org,José Álvarez,555-0199\n"
    path = write(tmp_path, "late.csv", (HEADER + ascii_rows + late).encode(encoding))
    assert path.stat().st_size > SAMPLE_BYTES
    rows = rows_of(path)
    assert len(rows) == 9001 and rows[-1] == (
        9001,
        ["jose@example.org", "José Álvarez", "555-0199"],
    )


@pytest.mark.parametrize(
    "ascii_rows", [9000, 40_000, 5], ids=["past-sample", "past-1MB-block", "small-file"]
)
def test_a_windows_1252_file_whose_only_accent_is_its_very_last_byte(
    tmp_path: Path, ascii_rows: int
) -> None:
    # No newline after it: the é ends the file (and, at 40,000 rows, sits past the first
    # 1 MB block read after the sample). A lone 0xE9 there is Windows-1252, not cut-off UTF-8.
    rows = "".join(f"user{i}@example.org,Plain Name{i},555-0100\n" for i in range(ascii_rows))
    data = (HEADER + rows + "zoe@example.org,1,Zoé").encode("cp1252")
    path = write(tmp_path, "last.csv", data)
    assert data.endswith(b"Zo\xe9")
    items = rows_of(path)
    assert items[-1] == (ascii_rows + 1, ["zoe@example.org", "1", "Zoé"])


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_csv_is_read_in_every_common_encoding(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = write(tmp_path, "people.csv", bom + (HEADER + ROW).encode(encoding))
    with open_table(path) as reader:
        assert reader.headers == ["Email", "Name", "Phone"]
        assert reader.file_format == "csv"
        assert list(reader) == [(1, ["zoe@example.org", "Zoë Brontë", "(555) 010-1234"])]


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", (HEADER + ROW).encode("utf-16-le"))
    assert rows_of(path) == [(1, ["zoe@example.org", "Zoë Brontë", "(555) 010-1234"])]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    text = f"Email{delimiter}Amount\nzoe@example.org{delimiter}1,50\nann@example.org{delimiter}2\n"
    path = write(tmp_path, "export.csv", text.encode())
    with open_table(path) as reader:
        assert reader.headers == ["Email", "Amount"]
        assert next(iter(reader)) == (1, ["zoe@example.org", "1,50"])


def test_quoted_newlines_stay_in_one_row_and_rows_count_records(tmp_path: Path) -> None:
    text = 'Name,Note\n"Ann","line one\nline two"\nBob,ok\n'
    path = write(tmp_path, "notes.csv", text.encode())
    assert rows_of(path) == [(1, ["Ann", "line one\nline two"]), (2, ["Bob", "ok"])]


def test_empty_cells_are_none_and_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "gaps.csv", b"A,B\n1,\n\n,,\n3,4\n")
    assert rows_of(path) == [(1, ["1", None]), (4, ["3", "4"])]


def test_wrong_field_counts_are_row_problems_naming_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "customers.csv", b"Email,Name,Phone\na@b.com,Ann\nc@d.com,C,1,extra\n")
    problems = rows_of(path)
    assert problems == [
        RowProblem(1, "Phone", "the row has 2 fields; the header has 3.", ("a@b.com", "Ann")),
        RowProblem(
            2,
            "Column 4",
            "the row has 4 fields; the header has 3.",
            ("c@d.com", "C", "1", "extra"),
        ),
    ]
    assert problems[0].message("customers.csv").startswith('customers.csv, row 1, column "Phone"')


def test_trailing_empty_fields_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", b"A,B\n1,2,,\n")
    assert rows_of(path) == [(1, ["1", "2"])]


def test_undecodable_bytes_reject_only_their_row(tmp_path: Path) -> None:
    text = ("Email,Name\n" + "".join(f"u{i}@example.org,Zoë\n" for i in range(50))).encode()
    path = write(tmp_path, "damaged.csv", text + b"bad@example.org,Zo\xff\n" + b"ok@ex.org,Ann\n")
    items = rows_of(path)
    assert items[50] == RowProblem(
        51, "Name", "the row has bytes that are not valid UTF-8.", ("bad@example.org", "Zo\ufffd")
    )
    assert items[51] == (52, ["ok@ex.org", "Ann"])
    assert "\xff" not in items[50].reason  # type: ignore[union-attr]


def test_a_nul_byte_rejects_its_row(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.csv", b"Email,Name\na@b.com,A\x00n\nc@d.com,Cy\n")
    assert rows_of(path) == [
        RowProblem(1, "Name", "the row contains a NUL byte.", ("a@b.com", "A\ufffdn")),
        (2, ["c@d.com", "Cy"]),
    ]


def test_overlong_cells_are_row_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", b"A,B\n" + b"x" * 50 + b",1\n")
    with open_table(path, max_cell_chars=10) as reader:
        assert list(reader) == [
            RowProblem(1, "A", "the cell is longer than 10 characters.", ("x" * 50, "1"))
        ]


def test_duplicate_and_empty_headers_get_unique_names_with_notes(tmp_path: Path) -> None:
    path = write(tmp_path, "dupes.csv", b"Email,,Email,Email\n1,2,3,4\n")
    with open_table(path) as reader:
        assert reader.headers == ["Email", "Column 2", "Email (2)", "Email (3)"]
        assert len(reader.notes) == 3


def test_too_many_columns_refuses_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(20)).encode() + b"\n")
    with pytest.raises(ImportFileError, match=r"wide\.csv: .*20 columns"):
        open_table(path, max_columns=10)


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", b"A\n" + b"1\n" * 100)
    with pytest.raises(ImportFileError, match="at most 50"):
        open_table(path, max_bytes=50)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("people.xlsx", b"Email,Name\na@b.com,A\n", "name says an XLSX workbook"),
        ("people.csv", b"PK\x03\x04" + b"\x00" * 40, "content is an XLSX workbook"),
        ("people.jsonl", b"Email,Name\n", "content is a CSV file"),
        ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Excel"),
        ("report.csv", b"%PDF-1.7\n...", "PDF"),
        ("data.json", b'[{"a": 1}]', "not JSON lines"),
        ("blob.csv", bytes(range(256)) * 20, "binary"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused_clearly(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(ImportFileError, match=message) as caught:
        open_table(path)
    assert caught.value.file == name


def test_a_missing_file_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="does not exist"):
        open_table(tmp_path / "nope.csv")


# ---- XLSX -----------------------------------------------------------------------------------


def make_workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_cells_become_text_and_formulas_are_never_evaluated(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "book.xlsx",
        [
            ["Email", "Customer ID", "Amount", "Created", "Total", "Active"],
            ["ann@example.org", 1001.0, 12.5, dt.datetime(2024, 3, 1, 9, 30), "=SUM(C2:C3)", True],
            ["bob@example.org", 1002, 3, dt.date(2024, 3, 2), '=HYPERLINK("http://x")', None],
        ],
    )
    with open_table(path) as reader:
        assert reader.file_format == "xlsx"
        assert reader.headers == ["Email", "Customer ID", "Amount", "Created", "Total", "Active"]
        assert list(reader) == [
            (1, ["ann@example.org", "1001", "12.5", "2024-03-01T09:30:00", "=SUM(C2:C3)", "TRUE"]),
            (2, ["bob@example.org", "1002", "3", "2024-03-02", '=HYPERLINK("http://x")', None]),
        ]


def test_xlsx_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "gaps.xlsx", [["A", "B"], [1, 2], [None, None], [3, 4]])
    assert rows_of(path) == [(1, ["1", "2"]), (3, ["3", "4"])]


def test_xlsx_value_without_header_is_a_row_problem(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "extra.xlsx", [["A", "B"], [1, 2, "stray"]])
    assert rows_of(path) == [
        RowProblem(1, "Column 3", "the cell has a value but no header.", ("1", "2", "stray"))
    ]


def test_a_damaged_xlsx_is_refused_clearly(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx", [["A"], [1]])
    path = write(tmp_path, "broken.xlsx", good.read_bytes()[:300])
    with pytest.raises(ImportFileError, match="not a valid XLSX"):
        open_table(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "hello")
    with pytest.raises(ImportFileError, match="not an XLSX workbook"):
        open_table(path)


def rewrite_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, data if info.filename == part else old.read(info))
    return target


def test_an_xlsx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx", [["A"], [1]])
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b" " * (50 * 1024 * 1024)
        + b"</sheetData></worksheet>"
    )
    bomb = rewrite_part(good, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", sheet)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(ImportFileError, match="zip bomb"):
        open_table(bomb)


def test_an_xlsx_over_the_unpacked_size_limit_is_refused(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx", [["A"], [1]])
    with pytest.raises(ImportFileError, match="would unpack to"):
        open_table(good, max_bytes=good.stat().st_size + 10)


SHEET_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def entity_sheet(prefix: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?>' + prefix + LAUGHS + b'<worksheet xmlns="' + SHEET_NS + b'">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>A</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )


def test_an_xml_entity_bomb_inside_an_xlsx_is_refused(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx", [["A"], ["x"]])
    sheet = entity_sheet(b"")
    bomb = rewrite_part(good, tmp_path / "laughs.xlsx", "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ImportFileError, match="unsafe"):
        open_table(bomb)


def test_defusedxml_refuses_entities_even_past_the_quick_check(tmp_path: Path) -> None:
    # The DTD sits after the first 4 KB, where the zip inspection does not look.
    good = make_workbook(tmp_path / "good.xlsx", [["A"], ["x"]])
    sheet = entity_sheet(b"<!-- " + b"pad " * 2000 + b"-->")
    bomb = rewrite_part(good, tmp_path / "late.xlsx", "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ImportFileError, match="unsafe"):
        list(open_table(bomb))


def test_a_sheet_declaring_too_many_rows_is_refused(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx", [["A"], [1]])
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:A2" />', b'<dimension ref="A1:A2000000" />')
    path = rewrite_part(good, tmp_path / "tall.xlsx", "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ImportFileError, match="declares 2,000,000 rows"):
        open_table(path)


@pytest.mark.parametrize("declared", ["A1", "A1:B2", ""])
def test_every_row_is_read_whatever_size_the_sheet_declares(tmp_path: Path, declared: str) -> None:
    # Some exporters write a wrong <dimension> (often "A1"); read-only openpyxl trusts it.
    rows: list[list[object]] = [["Email", "Name"]] + [
        [f"p{i}@example.org", f"P{i}"] for i in range(5)
    ]
    good = make_workbook(tmp_path / "good.xlsx", rows)
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:B6" />' in sheet
    tag = f'<dimension ref="{declared}" />'.encode() if declared else b""
    sheet = sheet.replace(b'<dimension ref="A1:B6" />', tag)
    path = rewrite_part(good, tmp_path / "wrong.xlsx", "xl/worksheets/sheet1.xml", sheet)
    assert [r[1][0] for r in rows_of(path)] == [f"p{i}@example.org" for i in range(5)]


def test_a_sheet_with_more_rows_than_it_declares_is_still_held_to_the_row_limit(
    tmp_path: Path,
) -> None:
    rows: list[list[object]] = [["A"]] + [[i] for i in range(10)]
    good = make_workbook(tmp_path / "good.xlsx", rows)
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:A11" />', b'<dimension ref="A1" />')
    path = rewrite_part(good, tmp_path / "liar.xlsx", "xl/worksheets/sheet1.xml", sheet)
    with (
        pytest.raises(ImportFileError, match="more than 5 rows"),
        open_table(path, max_rows=5) as r,
    ):
        list(r)


# ---- JSON lines -----------------------------------------------------------------------------


def test_json_lines_are_flattened_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        {"email": "ann@example.org", "address": {"city": "Leeds", "geo": {"lat": 53.8}}},
        "not json {",
        {"email": "bob@example.org", "tags": ["a", "b"], "vip": True, "age": 41},
        [1, 2],
    ]
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
    path = write(tmp_path, "events.jsonl", (text + "\n\n").encode())
    with open_table(path) as reader:
        assert reader.file_format == "jsonl"
        assert reader.headers == ["email", "address.city", "address.geo.lat", "tags", "vip", "age"]
        items = list(reader)
    assert items[0] == (1, ["ann@example.org", "Leeds", "53.8", None, None, None])
    assert items[1] == RowProblem(
        2, None, "the line is not valid JSON (at character 1).", ("not json {",)
    )
    assert items[2] == (3, ["bob@example.org", None, None, '["a", "b"]', "true", "41"])
    assert items[3] == RowProblem(4, None, "the line is not a JSON object.", ("[1, 2]",))


def test_json_nested_deeper_than_the_limit_is_a_row_problem(tmp_path: Path) -> None:
    deep: dict[str, object] = {"v": 1}
    for _ in range(40):
        deep = {"k": deep}
    path = write(tmp_path, "deep.jsonl", (json.dumps({"a": 1}) + "\n" + json.dumps(deep)).encode())
    items = rows_of(path)
    assert items[0] == (1, ["1"])
    assert isinstance(items[1], RowProblem)
    assert items[1].row == 2
    assert "nested more than 32" in items[1].reason


def test_json_lines_keys_first_seen_late_are_still_columns(tmp_path: Path) -> None:
    lines = [json.dumps({"a": i}) for i in range(100)] + [json.dumps({"a": 0, "late": "x"})]
    path = write(tmp_path, "late.jsonl", "\n".join(lines).encode())
    with open_table(path) as reader:
        assert reader.headers == ["a", "late"]
        assert list(reader)[-1] == (101, ["0", "x"])
