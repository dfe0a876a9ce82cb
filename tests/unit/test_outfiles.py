"""Outgoing files (console.outfiles): never over a file without --force, never onto the console's
own files whoever asks, and never published before their audit event is committed."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from console import outfiles
from console.domain.permissions import Role
from console.errors import DiskFull
from console.outfiles import OutputExists, ProtectedTarget
from console.services import audit, backups
from console.services.context import Actor
from console.services.reporting import catalogue as reports
from console.store import db as store_db
from console.store.db import Database, DatabaseBusy, open_database
from tests.fixtures import PASSWORD, CliRun, UserMaker


def _exports(db: Database, actor: Actor) -> int:
    return sum(1 for e in audit.list_events(db, actor) if e.action == "report.export")


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def auditor(make_user: UserMaker) -> Actor:
    return make_user(Role.AUDITOR)


def test_an_auditor_cannot_overwrite_the_database_with_a_report(
    db: Database, auditor: Actor, admin: Actor
) -> None:
    path = db.sqlite_path
    assert path is not None
    before = _exports(db, admin)
    for target in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with pytest.raises(ProtectedTarget, match="console's database"):
            reports.run_report(db, auditor, "audit-trail", "pdf", target, force=True)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert _exports(db, admin) == before
    assert _listing(path.parent) == sorted(["console.db", "console.db-wal", "console.db-shm"])


def test_links_to_the_database_are_refused_too(db: Database, admin: Actor, tmp_path: Path) -> None:
    path = db.sqlite_path
    assert path is not None
    out = tmp_path / "out"
    out.mkdir()
    (out / "innocent.pdf").symlink_to(path)
    os.link(path, out / "hard.pdf")
    (out / "looks-like-a-folder").symlink_to(path.parent)
    for name in ("innocent.pdf", "hard.pdf", "looks-like-a-folder/console.db"):
        with pytest.raises(ProtectedTarget):
            reports.run_report(db, admin, "audit-trail", "xlsx", out / name, force=True)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_the_backups_and_log_folders_are_never_written_into(db: Database, admin: Actor) -> None:
    path = db.sqlite_path
    assert path is not None
    (path.parent / "backups").mkdir(exist_ok=True)
    with pytest.raises(ProtectedTarget, match="own folder"):
        backups.backup(db, admin, path.parent / "backups" / "mine.bak")
    log_dir = Path(os.environ["CONSOLE_LOG_DIR"])
    with pytest.raises(ProtectedTarget, match="own folder"):
        reports.run_report(db, admin, "audit-trail", "pdf", log_dir / "console.log", force=True)
    with pytest.raises(ProtectedTarget, match="own folder"):
        reports.run_report(db, admin, "audit-trail", "pdf", log_dir / "new.pdf")


def test_another_open_database_is_protected_as_well(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    other = open_database(f"sqlite:///{tmp_path / 'other' / 'team.db'}")
    try:
        with pytest.raises(ProtectedTarget):
            reports.run_report(
                db, admin, "audit-trail", "pdf", tmp_path / "other" / "team.db", force=True
            )
    finally:
        other.dispose()
    # Released when closed: a file of that name is an ordinary target again.
    (tmp_path / "other" / "team.db").unlink()
    for side in ("-wal", "-shm"):
        Path(f"{tmp_path / 'other' / 'team.db'}{side}").unlink(missing_ok=True)
    reports.run_report(db, admin, "audit-trail", "pdf", tmp_path / "other" / "team.db")


def test_an_existing_file_is_kept_unless_force_is_given(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes", "utf-8")
    before = _exports(db, admin)
    with pytest.raises(OutputExists, match=r"already exists; nothing was written.*--force"):
        reports.run_report(db, admin, "audit-trail", "pdf", notes)
    assert notes.read_text("utf-8") == "my notes"
    assert _exports(db, admin) == before
    assert _listing(tmp_path) == ["console.db", "console.db-shm", "console.db-wal", "notes.txt"]
    result = reports.run_report(db, admin, "audit-trail", "pdf", notes, force=True)
    assert notes.read_bytes().startswith(b"%PDF")
    assert result.path == notes and _exports(db, admin) == before + 1


def test_an_existing_manifest_counts_as_an_existing_file(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    (tmp_path / "r.pdf.manifest.json").write_text("{}", "utf-8")
    with pytest.raises(OutputExists):
        reports.run_report(db, admin, "audit-trail", "pdf", tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_with_the_write_lock_held_an_export_fails_and_no_file_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    from console.services import accounts

    db = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        out = tmp_path / "out"
        out.mkdir()
        holder = sqlite3.connect(tmp_path / "console.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseBusy, match="Nothing was changed"):
                reports.run_report(db, admin, "audit-trail", "xlsx", out / "trail.xlsx")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert _listing(out) == []  # no report, no manifest, no temporary file
        assert _exports(db, admin) == 0
    finally:
        db.dispose()


def test_a_failure_after_writing_leaves_nothing_behind(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit, "record", full)
    with pytest.raises(DiskFull, match=r"The disk is full: nothing was changed\."):
        reports.run_report(db, admin, "audit-trail", "pdf", out / "trail.pdf")
    assert _listing(out) == []


def test_files_are_published_only_after_their_event_is_committed(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "trail.pdf"
    seen_at_commit: list[bool] = []
    real_record = audit.record

    def record(*args: object, **kwargs: object) -> int:
        seen_at_commit.append(target.exists())
        return real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "record", record)
    reports.run_report(db, admin, "audit-trail", "pdf", target)
    assert seen_at_commit == [False] and target.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(f"{target}.manifest.json").stat().st_mode) == 0o600


def test_a_set_of_files_is_published_whole_or_not_at_all(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("already here", "utf-8")
    with outfiles.Outgoing() as out:
        out.stage(tmp_path / "a.txt").write_text("a", "utf-8")
        with pytest.raises(OutputExists):
            out.stage(tmp_path / "b.txt")
    assert _listing(tmp_path) == ["b.txt"]
    with outfiles.Outgoing() as out:
        out.stage(tmp_path / "a.txt").write_text("a", "utf-8")
        out.stage(tmp_path / "c.txt").write_text("c", "utf-8")
        (tmp_path / "c.txt").write_text("raced in", "utf-8")  # appears while being written
        with pytest.raises(OutputExists, match="appeared while it was being written"):
            out.publish()
    assert _listing(tmp_path) == ["b.txt", "c.txt"]
    assert (tmp_path / "c.txt").read_text("utf-8") == "raced in"


def test_write_file_stages_commits_then_publishes(tmp_path: Path) -> None:
    target = tmp_path / "letter.txt"
    order: list[str] = []

    def write(part: Path) -> None:
        part.write_text("Dear requester", "utf-8")
        order.append("written")

    def commit(part: Path) -> str:
        order.append("committed" if not target.exists() else "too late")
        return outfiles.sha256_of(part)

    digest = outfiles.write_file(target, write, commit)
    assert order == ["written", "committed"]
    assert outfiles.sha256_of(target) == digest


def test_the_cli_refuses_the_database_and_an_existing_file_in_one_line(
    run_cli: CliRun, cli_db_url: str, tmp_path: Path
) -> None:
    run_cli("init", "--admin", "admin")
    code, _, _ = run_cli("--user", "admin", "user", "add", "audrey", "--role", "auditor")
    assert code == 0
    db = open_database(cli_db_url)
    try:
        from console.services import accounts

        accounts.set_password_for_demo(db, "audrey", PASSWORD)
    finally:
        db.dispose()
    db_file = Path(cli_db_url.removeprefix("sqlite:///"))
    before = db_file.read_bytes()[:100]
    code, _, err = run_cli(
        "--user",
        "audrey",
        "report",
        "dsr-register",
        "--format",
        "pdf",
        "--out",
        str(db_file),
        "--force",
    )
    assert code == 1 and err.count("\n") == 1 and "console's database" in err
    assert db_file.read_bytes()[:100] == before
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me", "utf-8")
    code, _, err = run_cli(
        "--user", "audrey", "report", "dsr-register", "--format", "pdf", "--out", str(notes)
    )
    assert code == 1 and "already exists" in err and notes.read_text("utf-8") == "keep me"
    code, _, _ = run_cli(
        "--user",
        "audrey",
        "report",
        "dsr-register",
        "--format",
        "pdf",
        "--out",
        str(notes),
        "--force",
    )
    assert code == 0 and notes.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "any_url", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)], indirect=True
)
def test_on_either_database_an_export_over_a_file_needs_force(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    target = tmp_path / "register.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OutputExists):
        reports.run_report(any_db, any_admin, "dsr-register", "xlsx", target)
    assert target.read_bytes() == b"old"
    reports.run_report(any_db, any_admin, "dsr-register", "xlsx", target, force=True)
    assert target.read_bytes()[:2] == b"PK"
    assert [e.action for e in audit.list_events(any_db, any_admin)].count("report.export") == 1
