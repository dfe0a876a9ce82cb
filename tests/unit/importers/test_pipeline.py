"""Parsing a mapped file into rows with normalised identifiers, collection times and categories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from console.importers.errors import ImportFileError, RowProblem
from console.importers.mapping import ColumnSpec, Mapping
from console.importers.pipeline import (
    Identifier,
    ParsedRow,
    TimestampParser,
    parse,
    propose_mapping,
)

MAPPING = Mapping(
    {
        "Email": ColumnSpec("email", "contact.email"),
        "Phone": ColumnSpec("phone", "contact.phone"),
        "Name": ColumnSpec("name", "contact.name"),
        "Created (UTC)": ColumnSpec(role="collected_at"),
    },
    ["id"],
)
UTC = dt.UTC


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_carry_normalised_identifiers_and_every_original_value(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "id,Email,Phone,Name,Created (UTC),Notes\n"
        "7,Zoe@Example.ORG,(555) 010-1234,Zoë  Brontë,2024-03-01 09:30,likes tea\n",
    )
    with parse(path, MAPPING, default_region="US") as table:
        assert table.file_format == "csv"
        (row,) = list(table)
    assert isinstance(row, ParsedRow)
    assert row.row_number == 1
    assert row.values == {
        "id": "7",
        "Email": "Zoe@Example.ORG",
        "Phone": "(555) 010-1234",
        "Name": "Zoë  Brontë",
        "Created (UTC)": "2024-03-01 09:30",
        "Notes": "likes tea",
    }
    assert row.identifiers == [
        Identifier("email", "zoe@example.org", "Zoe@Example.ORG", "Email"),
        Identifier("phone", "+15550101234", "(555) 010-1234", "Phone"),
        Identifier("name", "zoe bronte", "Zoë  Brontë", "Name"),
    ]
    assert row.collected_at == dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert row.categories == {
        "Email": "contact.email",
        "Phone": "contact.phone",
        "Name": "contact.name",
    }


def test_placeholders_are_not_identifiers_but_stay_in_the_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "id,Email,Phone,Name,Created (UTC)\n1,test@test.com,0000000000,N/A,never\n"
    )
    with parse(path, MAPPING) as table:
        (row,) = list(table)
    assert isinstance(row, ParsedRow)
    assert row.identifiers == []
    assert row.values["Email"] == "test@test.com"
    assert row.collected_at is None


def test_empty_cells_drop_out_of_the_row_categories(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,Email,Phone,Name,Created (UTC)\n1,a@b.com,,,\n")
    with parse(path, MAPPING) as table:
        (row,) = list(table)
    assert isinstance(row, ParsedRow)
    assert row.categories == {"Email": "contact.email"}


def test_row_problems_pass_through_in_order(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,Email,Phone,Name,Created (UTC)\n1,a@b.com\n2,c@d.com,,,\n")
    with parse(path, MAPPING) as table:
        items = list(table)
    assert isinstance(items[0], RowProblem)
    assert items[0].row == 1
    assert isinstance(items[1], ParsedRow)
    assert items[1].row_number == 2


def test_a_mapping_naming_a_missing_column_fails_before_any_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,Email\n1,a@b.com\n")
    with pytest.raises(ImportFileError, match=r'customers\.csv, column "Phone"'):
        parse(path, MAPPING)


def test_the_default_region_decides_national_phone_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,Email,Phone,Name,Created (UTC)\n1,,020 7946 0958,,\n")
    with parse(path, MAPPING, default_region="GB") as table:
        (row,) = list(table)
    assert isinstance(row, ParsedRow)
    assert row.identifiers == [Identifier("phone", "+442079460958", "020 7946 0958", "Phone")]


def test_auto_mapping_is_proposed_from_the_file(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Customer Email,Mobile,Signup Date,x\n"
        + "".join(
            f"u{i}@example.org,+44 7700 900{i:03d},2024-01-0{1 + i % 9},{i}\n" for i in range(30)
        ),
    )
    mapping = propose_mapping(path, default_region="US")
    assert mapping.columns["Customer Email"].identifier == "email"
    assert mapping.columns["Mobile"].identifier == "phone"
    assert mapping.collected_at_column == "Signup Date"


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("2024-03-01T09:30:00Z", "US", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("2024-03-01T10:30:00+01:00", "US", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("2024-03-01", "US", dt.datetime(2024, 3, 1, tzinfo=UTC)),
        ("03/01/2024 09:30", "US", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("01/03/2024 09:30", "GB", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("01.03.2024", "DE", dt.datetime(2024, 3, 1, tzinfo=UTC)),
        ("1709285400", "US", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("1709285400000", "US", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("Fri, 01 Mar 2024 09:30:00 +0000", "US", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("Mar 1, 2024", "US", dt.datetime(2024, 3, 1, tzinfo=UTC)),
        ("soon", "US", None),
    ],
)
def test_collection_times_are_read_in_common_formats_as_utc(
    text: str, region: str, expected: dt.datetime | None
) -> None:
    assert TimestampParser(region)(text) == expected
