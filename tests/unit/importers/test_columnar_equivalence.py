"""The columnar parser gives exactly what the row-by-row pipeline gives, on any file."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.importers.mapping import ColumnSpec, Mapping
from console.paths import data_path
from console.services.demo.records import DEMO_SOURCES
from console.services.records.suppression import digest_of
from tests.unit.importers.columnar_compare import assert_same, new_outcome, old_outcome


@pytest.mark.parametrize(
    ("file_name", "mapping", "region"),
    [(s[5], s[6], s[2]) for s in DEMO_SOURCES],
    ids=[s[5] for s in DEMO_SOURCES],
)
def test_every_demo_source_gives_the_same_records_through_both_parsers(
    file_name: str, mapping: dict[str, object], region: str
) -> None:
    parsed = Mapping.from_json(mapping, source_name=file_name)
    path = Path(data_path("demo", file_name))
    old = old_outcome(path, parsed, region)
    assert old.records  # the comparison means something only if rows were imported
    assert_same(old, new_outcome(path, parsed, region))
    assert_same(old, new_outcome(path, parsed, region, batch_rows=3))


MAPPING = Mapping(
    {
        "Email": ColumnSpec("email", "contact.email"),
        "Name": ColumnSpec("name", "contact.name"),
        "Phone": ColumnSpec("phone", "contact.phone"),
        "Created": ColumnSpec(None, None, "collected_at"),
        "IP": ColumnSpec("ip", "technical.ip_address"),
        "Customer": ColumnSpec("customer_id", "account.customer_id"),
        "Address": ColumnSpec("postal_address", "contact.postal_address"),
    },
    ["Customer"],
)
HEADER = ["Email", "Name", "Phone", "Created", "IP", "Customer", "Address", "Notes"]


def test_damaged_rows_are_the_same_problems_in_both_parsers(tmp_path: Path) -> None:
    good = "a@b.com,Zoë,555 010 1234,2024-01-02,10.0.0.1,C1,1 Main St,ok\r\n"
    data = (
        ",".join(HEADER).encode()
        + b"\r\n"
        + good.encode()
        + b"a@b.com,short\r\n"  # too few fields
        + b"x@y.com,Bad \xff byte,,,,C2,,\r\n"  # not UTF-8
        + b"z@y.com,Nul\x00,,,,C3,,\r\n"
        + b"\r\n"  # blank: skipped but counted
        + ("q@r.com," + "x" * 40_000 + ",,,,C4,,\r\n").encode()
        + good.encode()  # a repeat of the record key: a duplicate
        + b'"quoted, comma","Line\r\nbreak",+44 20 7946 0018,05/03/2024,::ffff:1.2.3.4,C5,n/a,"say ""hi"""\r\n'
        + b",,,,,,,\r\n"  # empty row: skipped
        + b"not-an-email,123,12,yesterday,999.1.1.1,n/a,-,\r\n"
    )
    path = tmp_path / "damaged.csv"
    path.write_bytes(data)
    old = old_outcome(path, MAPPING)
    assert old.problems and old.unusable and old.counts[2] == 1  # rejects, unusable, a duplicate
    assert_same(old, new_outcome(path, MAPPING))
    assert_same(old, new_outcome(path, MAPPING, batch_rows=1))


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", "|")]
)
def test_other_encodings_and_delimiters_give_the_same_records(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    lines = [
        HEADER,
        ["José@Exämple.com", "José Álvarez", "0170 1234567", "2024-03-01 10:00", "", "C1", "", ""],
        [
            " ANA@EXAMPLE.COM ",
            "Ana  María",
            "(212) 555-0100",
            "1709287200",
            "fe80::1",
            "C2",
            "",
            "",
        ],
        ["n/a", "Test User", "000-000-0000", "3 Mar 2024", "127.0.0.1", "0", "Straße 5", "é"],
    ]
    path = tmp_path / "other.csv"
    text = "\r\n".join(delimiter.join(line) for line in lines) + "\r\n"
    path.write_bytes(text.encode(encoding))
    for region in ("US", "DE"):
        old = old_outcome(path, MAPPING, region)
        assert len(old.records) == 3
        assert_same(old, new_outcome(path, MAPPING, region))


def test_json_lines_and_workbooks_give_the_same_records(tmp_path: Path) -> None:
    objects = [
        {
            "Email": "a@b.com",
            "Name": {"first": "Zoë"},
            "Customer": 12,
            "Created": "2024-01-01T10:00:00+02:00",
        },
        {"Email": "A@B.com", "Phone": 2125550100, "Customer": 12.5, "Notes": [1, "ü"], "IP": "::1"},
        {"Email": None, "Name": "王小明", "Customer": True, "Created": "2024-13-45"},
        {"Email": "tab\there@x.com", "Name": 'Line\nbreak "q"', "Customer": "C9"},
    ]
    jsonl = tmp_path / "log.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(o, ensure_ascii=False) for o in objects) + "\nnot json\n[1]\n",
        encoding="utf-8",
    )
    mapping = Mapping(
        {
            "Email": ColumnSpec("email", "contact.email"),
            "Name.first": ColumnSpec("name", "contact.name"),
            "Name": ColumnSpec("name", "contact.name"),
            "Phone": ColumnSpec("phone"),
            "Customer": ColumnSpec("customer_id"),
            "Created": ColumnSpec(None, None, "collected_at"),
            "IP": ColumnSpec("ip"),
        }
    )
    old = old_outcome(jsonl, mapping)
    assert len(old.problems) == 2
    assert_same(old, new_outcome(jsonl, mapping))

    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(
        ["a@b.com", "Zoë", 2125550100, dt.datetime(2024, 1, 2, 3, 4, 5), "10.1.1.1", 7, "x", 1.5]
    )
    sheet.append(["b@c.com", None, "+1 212 555 0100", dt.date(2024, 1, 2), None, 7.0, None, True])
    sheet.append([None] * 8)
    sheet.append(["c@d.com", "Ölaf", None, "not a date", "1.2.3", "C3", None, None, "extra"])
    xlsx = tmp_path / "book.xlsx"
    book.save(xlsx)
    old = old_outcome(xlsx, MAPPING)
    assert old.records and old.problems
    assert_same(old, new_outcome(xlsx, MAPPING))


def test_suppressed_identifiers_keep_the_same_rows_out(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    rows = [HEADER] + [
        [f"user{i % 4}@example.com", f"Name {i}", "", "", "", f"C{i}", "", ""] for i in range(12)
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    suppressed = [("email", digest_of("email", "user1@example.com")), ("phone", "0" * 64)]
    old = old_outcome(path, MAPPING, suppressed=suppressed)
    assert old.counts[3] == 3
    assert_same(old, new_outcome(path, MAPPING, suppressed=suppressed, batch_rows=5))


# Values people and systems put in identifier columns: well-formed, near-misses, placeholders,
# other scripts and white space, plus anything at all.
_SAMPLES = {
    "Email": [
        "a@b.com",
        " Bob@Example.COM ",
        "noreply@x.org",
        "test@test.com",
        "Zoë@Exämple.com",
        "mailto:x@y.io",
        "<x@y.io>",
        "a@b",
        "@b.com",
        "a..b@c.com",
        "ǅ@x.com",
        "K@x.com",
    ],
    "Name": [
        "Zoë Brontë",
        "  ANNA  smith ",
        "test user",
        "n/a",
        "王小明",
        "ℌans",
        "Jürgen\tK",
        "O'Brien",
        "123",
        "ǅemal",
        "İstanbul",
    ],
    "Phone": [
        "(212) 555-0100",
        "+1 212 555 0100",
        "12125550100",
        "2125550100",
        "555-0100",
        "+44 20 7946 0018",
        "020 7946 0018",
        "0000000000",
        "1234567890",
        "+1 123 456 7890",
        "+12125550100",
        "tel:+1-212-555-0100",
        "٢١٢٥٥٥٠١٠٠",
        "-",
        "()",
    ],
    "Created": [
        "2024-01-02",
        "2024-01-02T03:04:05Z",
        "2024-01-02 03:04:05.5+01:30",
        "2024-02-30T00:00:00",
        "05/03/2024",
        "1709287200",
        "1709287200123",
        "3 Mar 2024",
        "2024-01-02T03:04:05.1234567",
        "0999-01-01",
        "yesterday",
        "2024-01-02T24:00:00",
    ],
    "IP": [
        "10.0.0.1",
        " 10.0.0.1",
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "[2001:db8::1]",
        "::ffff:10.0.0.1",
        "256.1.1.1",
        "01.2.3.4",
        "FE80::1",
        "255.255.255.255",
    ],
    "Customer": [
        "C1",
        "C1 ",
        " n/a ",
        "0",
        "N/A",
        "Test",
        "abc@def",
        "test@test.com",
        "00000000-0000-0000-0000-000000000000",
        "ÿ",
        "x y",
        "C\u00a01",
    ],
    "Address": ["1 Main St.", "Straße 5, Köln", "n/a", "#;", "  ", "Flat 2; 10 High St"],
    "Notes": ["", "x", "é", 'q"uote', "back\\slash", "ctrl\x01", "tab\t", "ℌ"],
}
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


def _cell(column: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_SAMPLES[column]), _text, st.just(""))


_row = st.tuples(*(_cell(c) for c in HEADER))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(_row, min_size=1, max_size=25),
    keyed=st.booleans(),
    region=st.sampled_from(["US", "GB", "DE"]),
    batch_rows=st.sampled_from([1, 4, 50_000]),
    suppress=st.booleans(),
)
def test_generated_rows_give_the_same_identifiers_text_keys_and_problems(
    rows: list[tuple[str, ...]], keyed: bool, region: str, batch_rows: int, suppress: bool
) -> None:
    mapping = MAPPING if keyed else Mapping(dict(MAPPING.columns), [])
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([HEADER, *rows])
    suppressed = [("email", digest_of("email", "a@b.com")), ("name", digest_of("name", "o'brien"))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        chosen = suppressed if suppress else []
        old = old_outcome(path, mapping, region, chosen)
        assert_same(old, new_outcome(path, mapping, region, chosen, batch_rows))
