"""Property-based proofs (hypothesis): identifiers, the report→reader round trip, audit tamper
detection of any single byte, and deadlines that never move earlier.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from console.domain import deadlines
from console.domain import identifiers as ids
from console.domain.permissions import Role
from console.importers.readers import open_table
from console.importers.xlsx_reader import cell_text
from console.reports import Column, Document, ReportMeta, Section, Table, export
from console.reports.text import make_visible, normalise_newlines
from console.services import accounts, audit
from console.services.context import Actor
from console.store import search_backend
from console.store.db import Database, open_database
from tests.reliability.conftest import PASSWORD

ALL_KINDS = [*ids.KINDS, "other:crm"]
_FAST = settings(max_examples=300, deadline=None)

# -- identifiers -------------------------------------------------------------------------------


@_FAST
@given(kind=st.sampled_from(ALL_KINDS), raw=st.text(max_size=60))
def test_normalising_twice_changes_nothing(kind: str, raw: str) -> None:
    once = ids.normalise(kind, raw)
    if once is not None:
        assert ids.normalise(kind, once) == once


_local = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
_domain = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]\.(org|com|de|co\.uk)", fullmatch=True)


def _mixed_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c for c, f in zip(text, flips, strict=True))


@_FAST
@given(data=st.data(), local=_local, domain=_domain)
def test_an_email_matches_however_it_is_written(
    data: st.DataObject, local: str, domain: str
) -> None:
    plain = ids.normalise("email", f"{local}@{domain}")
    assume(plain is not None)
    written = _mixed_case(data.draw, f"{local}@{domain}")
    wrapper = data.draw(st.sampled_from(["{}", " {} ", "<{}>", "mailto:{}", "\t{}\n"]))
    assert ids.normalise("email", wrapper.format(written)) == plain


@_FAST
@given(
    digits=st.from_regex(r"[2-9][0-8][0-9][2-9][0-9]{6}", fullmatch=True),
    style=st.sampled_from(
        [
            "{a}{b}{c}",
            "({a}) {b}-{c}",
            "{a}-{b}-{c}",
            "{a}.{b}.{c}",
            "+1 {a} {b} {c}",
            "1{a}{b}{c}",
            "+1 ({a}) {b}-{c}",
            "  {a} {b} {c} ",
        ]
    ),
)
def test_a_phone_number_matches_however_it_is_written(digits: str, style: str) -> None:
    plain = ids.normalise("phone", digits, default_region="US")
    written = style.format(a=digits[:3], b=digits[3:6], c=digits[6:])
    assert ids.normalise("phone", written, default_region="US") == plain


@_FAST
@given(name=st.text(st.characters(categories=["L"]), min_size=1, max_size=12), data=st.data())
def test_a_name_matches_in_any_case_and_spacing(name: str, data: st.DataObject) -> None:
    plain = ids.normalise("name", f"{name} {name[::-1]}")
    assume(plain is not None)
    spaced = data.draw(st.sampled_from(["{} {}", "  {}   {}  ", "{}\t{}", "{}\n{}"]))
    assert ids.normalise("name", spaced.format(name.upper(), name[::-1].lower())) == ids.normalise(
        "name", f"{name.upper()} {name[::-1].lower()}"
    )
    assert ids.normalise("name", spaced.format(name, name[::-1])) == plain


# -- report → reader round trip --------------------------------------------------------------

_cells = st.one_of(st.none(), st.text(max_size=80))


def _export(rows: list[list[str | None]], path: Path) -> None:
    meta = ReportMeta(
        organisation="Org",
        report_name="records",
        title="Records",
        parameters={},
        generated_by="t",
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        app_version="t",
        classification="c",
    )
    table = Table("Records", [Column("value"), Column("other")], rows)
    # hypothesis runs many examples through one file name: each replaces the last.
    export(Document(meta, [Section("Records", [table])]), path, "xlsx", force=True)


def _expected(value: str | None) -> str | None:
    """What the exporter promises: the text, with controls shown as [U+XXXX] and CR as LF."""
    if value is None:
        return None
    text = normalise_newlines(value)
    text = make_visible(text)
    return text or None


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cells, min_size=2, max_size=2), min_size=1, max_size=8))
def test_any_unicode_text_survives_xlsx_export_and_import(
    rows: list[list[str | None]], tmp_path: Path
) -> None:
    path = tmp_path / "roundtrip.xlsx"
    path.unlink(missing_ok=True)
    _export(rows, path)
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb["Records"]  # the importer's own cell conversion, on the data sheet
        got = [[cell_text(v) for v in r] for r in ws.iter_rows(min_row=2, values_only=True)]
    finally:
        wb.close()
    got = [r + [None] * (2 - len(r)) for r in got]
    assert got == [[_expected(v) for v in r] for r in rows]


def test_an_exported_report_can_be_imported_again(tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    _export([["ana@example.org", "Ana"]], path)
    with open_table(path) as reader:
        assert reader.headers == ["value", "other"]


# -- audit chain: any single changed byte is found --------------------------------------------


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[int, str, bytes]]]:
    path = tmp_path_factory.mktemp("trail") / "console.db"
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        for i in range(6):
            accounts.add_user(db, admin, f"user{i}", Role.AUDITOR, full_name=f"Zoë Łukasz 王{i}")
        accounts.add_user(db, admin, "auditor", Role.AUDITOR)
        accounts.set_password_for_demo(db, "auditor", PASSWORD)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    finally:
        db.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cols = ["at", "actor", "action", "object_type", "object_id", "details", "prev_hash", "hash"]
        cells = []
        for seq, *values in conn.execute(f"SELECT seq, {', '.join(cols)} FROM audit_events"):
            for col, value in zip(cols, values, strict=True):
                cells.append((seq, col, str(value).encode("utf-8")))
    finally:
        conn.close()
    return path, cells


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_changed_byte_in_any_event_is_found_by_verify(
    trail: tuple[Path, list[tuple[int, str, bytes]]], tmp_path: Path, data: st.DataObject
) -> None:
    pristine, cells = trail
    seq, column, value = data.draw(st.sampled_from(cells))
    assume(value)
    position = data.draw(st.integers(0, len(value) - 1))
    new_byte = data.draw(st.integers(0, 255).filter(lambda b: b != value[position]))
    changed = value[:position] + bytes([new_byte]) + value[position + 1 :]
    try:
        changed.decode("utf-8")
    except UnicodeDecodeError:
        # Bytes that are not UTF-8: see test_a_changed_byte_that_breaks_utf8_is_named_by_verify.
        assume(False)
    work = tmp_path / "work.db"
    shutil.copy(pristine, work)
    conn = sqlite3.connect(work)
    try:
        conn.execute(
            f"UPDATE audit_events SET {column} = CAST(? AS TEXT) WHERE seq = ?",
            (changed, seq),
        )
        conn.commit()
    finally:
        conn.close()
    db = Database(f"sqlite:///{work}")
    try:
        result = audit.verify(db, Actor(None, "auditor", Role.AUDITOR))
    finally:
        db.dispose()
    assert not result.ok
    # Editing an event's own hash or contents breaks it; editing its link breaks it too; only
    # a changed hash of event N is *seen* at N (its contents no longer match it).
    assert result.broken_seq == seq, (column, result)


def test_a_changed_byte_that_breaks_utf8_is_named_by_verify(
    trail: tuple[Path, list[tuple[int, str, bytes]]], tmp_path: Path
) -> None:
    pristine, cells = trail
    seq, _column, value = next(c for c in cells if c[1] == "actor" and c[0] == 3)
    work = tmp_path / "work.db"
    shutil.copy(pristine, work)
    conn = sqlite3.connect(work)
    try:
        conn.execute(
            "UPDATE audit_events SET actor = CAST(? AS TEXT) WHERE seq = ?",
            (value[:-1] + b"\xff", seq),
        )
        conn.commit()
    finally:
        conn.close()
    db = Database(f"sqlite:///{work}")
    try:
        result = audit.verify(db, Actor(None, "auditor", Role.AUDITOR))
    finally:
        db.dispose()
    assert not result.ok and result.broken_seq == seq


# -- deadlines ------------------------------------------------------------------------------

_BOOK = deadlines.default_rules()
_LAW_TYPES = [(law, t) for law in _BOOK.laws for t in _BOOK.request_types]


@settings(max_examples=400, deadline=None)
@given(
    law_type=st.sampled_from(_LAW_TYPES),
    received=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    pause_at=st.integers(0, 120),
    pause_days=st.integers(0, 90),
    extend_at=st.integers(0, 120),
    data=st.data(),
)
def test_a_pause_or_extension_never_moves_the_due_date_earlier(
    law_type: tuple[str, str],
    received: dt.date,
    pause_at: int,
    pause_days: int,
    extend_at: int,
    data: st.DataObject,
) -> None:
    law, rtype = law_type
    rule = _BOOK.rule_for(law, rtype)
    base = deadlines.Ledger().start(received)
    before = deadlines.compute(law, rtype, base, country="US").due_date
    if rule.pause_reasons:
        reason = data.draw(st.sampled_from(sorted(rule.pause_reasons)))
        start = received + dt.timedelta(days=pause_at)
        paused = base.pause(start, reason)
        try:
            open_state = deadlines.compute(law, rtype, paused, country="US")
            resumed = deadlines.compute(
                law, rtype, paused.resume(start + dt.timedelta(days=pause_days)), country="US"
            )
        except deadlines.ClockError:
            pass  # a pause the law refuses changes nothing
        else:
            assert open_state.due_date >= before
            assert resumed.due_date >= before
    if rule.extension is not None:
        at = received + dt.timedelta(days=extend_at)
        try:
            extended = deadlines.compute(law, rtype, base.extend(at, "complex", at), country="US")
        except deadlines.ClockError:
            return
        assert extended.due_date >= before


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=6))
def test_a_records_search_text_is_the_tokens_of_all_its_values_folded_together(
    values: list[str | None],
) -> None:
    # The importer folds value by value (and remembers repeated names); that must be the same
    # as folding the whole row at once, or a search would miss what it should find.
    joined = " ".join(v for v in values if v)
    expected = " " + " ".join(search_backend.tokens(joined)) + " " if joined else ""
    assert search_backend.search_text(values) == expected
