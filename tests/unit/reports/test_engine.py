"""Exports end to end: atomic files, manifests, verification, cancel and write failures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from console.outfiles import OutputError
from console.reports import (
    Document,
    ExportCancelled,
    Section,
    Table,
    export,
    verify_file,
)

from .conftest import CHAIN_HEAD, REGISTER_COLUMNS, make_meta, register_rows


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_export_writes_the_file_and_a_manifest_that_describes_it(
    tmp_path: Path, register: Callable[[int], Document], fmt: str
) -> None:
    target = tmp_path / f"register.{fmt}"
    result = export(register(120), target, fmt)  # type: ignore[arg-type]
    assert result.path == target
    assert target.exists()
    assert result.manifest_path == tmp_path / f"register.{fmt}.manifest.json"
    assert result.row_counts == {"Requests": 120}
    assert (result.pages or 0) > 1 if fmt == "pdf" else result.pages is None
    manifest = json.loads(result.manifest_path.read_text("utf-8"))
    assert manifest["sha256"] == result.sha256
    assert manifest["size"] == target.stat().st_size
    assert manifest["report"] == "dsr-register"
    assert manifest["format"] == fmt
    assert manifest["parameters"]["Query"] == "王小明"
    assert manifest["chain_head"] == {"seq": CHAIN_HEAD[0], "hash": CHAIN_HEAD[1]}
    assert manifest["generated_at"] == "2024-05-01T12:30:00+00:00"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        target.name,
        f"{target.name}.manifest.json",
    ]


def test_an_unchanged_file_verifies(tmp_path: Path, register: Callable[[int], Document]) -> None:
    result = export(register(10), tmp_path / "r.xlsx", "xlsx")
    check = verify_file(result.path)
    assert check.ok, check.reason
    assert check.sha256 == result.sha256


def test_a_tampered_file_fails_verification(
    tmp_path: Path, register: Callable[[int], Document]
) -> None:
    result = export(register(10), tmp_path / "r.pdf", "pdf")
    data = bytearray(result.path.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, one bit changed
    result.path.write_bytes(bytes(data))
    check = verify_file(result.path)
    assert not check.ok
    assert "SHA-256 differs" in check.reason


def test_a_file_without_its_manifest_fails_verification(
    tmp_path: Path, register: Callable[[int], Document]
) -> None:
    result = export(register(3), tmp_path / "r.pdf", "pdf")
    result.manifest_path.unlink()
    check = verify_file(result.path)
    assert not check.ok
    assert "No manifest" in check.reason


def _cancel_after(rows: int) -> tuple[Callable[[int], None], Callable[[], bool]]:
    seen = [0]

    def progress(done: int) -> None:
        seen[0] = done

    return progress, lambda: seen[0] >= rows


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_cancel_leaves_no_file_behind(
    tmp_path: Path, register: Callable[[int], Document], fmt: str
) -> None:
    progress, cancelled = _cancel_after(2_000)
    with pytest.raises(ExportCancelled):
        export(
            register(50_000),
            tmp_path / f"r.{fmt}",
            fmt,
            progress=progress,  # type: ignore[arg-type]
            cancelled=cancelled,
        )
    assert list(tmp_path.iterdir()) == []


def test_a_failing_row_source_leaves_the_previous_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous export")

    def broken() -> Iterator[Sequence[object]]:
        yield from register_rows(5)
        raise RuntimeError("database went away")

    document = Document(make_meta(), [Section("S", [Table("T", REGISTER_COLUMNS, broken())])])
    with pytest.raises(RuntimeError):
        export(document, target, "xlsx", force=True)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_an_unwritable_place_raises_an_output_error_naming_the_file(
    tmp_path: Path, register: Callable[[int], Document]
) -> None:
    with pytest.raises(OutputError, match=r"register\.pdf"):
        export(register(1), tmp_path / "missing-folder" / "register.pdf", "pdf")


def test_progress_reports_rows_written(tmp_path: Path, register: Callable[[int], Document]) -> None:
    seen: list[int] = []
    export(register(2_500), tmp_path / "r.xlsx", "xlsx", progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 2_500
    assert 1_000 in seen
    assert 2_000 in seen
