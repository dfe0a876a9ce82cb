from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from console.store import migrate, search_backend
from console.store.db import open_database
from console.store.migrate import MigrationError
from console.store.schema import metadata


def test_the_migrations_build_exactly_the_models_schema(any_url: str) -> None:
    db = open_database(any_url)
    with db.engine.connect() as conn:
        # The text-search tables and indexes are made by hand-written SQL in the migration
        # (FTS5 virtual tables, a trigram index); the models do not describe them.
        context = MigrationContext.configure(
            conn, opts={"include_name": search_backend.include_in_schema_compare}
        )
        diff = compare_metadata(context, metadata)
    db.dispose()
    assert diff == []


def test_a_sqlite_database_gets_wal_foreign_keys_and_a_busy_timeout(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        # The -wal file shrinks back after a big import's checkpoint instead of keeping its size.
        assert 0 < conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() <= 64 * 1024 * 1024
    db.dispose()


def test_reopening_an_up_to_date_database_changes_nothing(sqlite_url: str) -> None:
    open_database(sqlite_url).dispose()
    db = open_database(sqlite_url)
    assert db.open_report.upgraded_from is None and db.open_report.backup_path is None
    db.dispose()


def test_a_database_from_a_newer_build_is_refused_clearly(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999_future')"))
    db.dispose()
    with pytest.raises(MigrationError, match="newer version of the console"):
        open_database(sqlite_url)


def test_every_migration_head_is_applied(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    assert migrate.current_revisions(db) == migrate.script_heads()
    db.dispose()


def test_the_heads_this_build_expects_match_the_migration_scripts() -> None:
    from console.store.schema_version import HEADS

    assert migrate.script_heads() == set(HEADS)


def test_records_imported_before_the_slim_schema_keep_their_identifiers(
    any_url: str, tmp_path: Path
) -> None:
    """0005 drops records.identifiers_json (a copy of record_identifiers); down and up again."""
    from alembic import command

    from console.services import accounts
    from console.services.records import search as records
    from tests.unit.services.records_data import crm

    db = open_database(any_url)
    admin = accounts.bootstrap_admin(db, "admin", "correct horse battery staple")
    crm(db, admin, tmp_path)
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_legal")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT row_number, identifiers_json FROM records"))
        copies = {int(r[0]): str(r[1]) for r in rows}
    assert ["email", "ana@example.com", "Email"] in json.loads(copies[1])
    assert ["phone", "+15550101234", "Phone"] in json.loads(copies[1])
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    found = records.records_by_id(db, admin, records.lookup(db, admin, "email", "ANA@example.com"))
    assert [r.row_number for r in found] == [1]
    assert ("phone", "+15550101234") in found[0].identifiers
    db.dispose()


def test_the_history_of_one_object_is_read_through_an_index(sqlite_url: str) -> None:
    # A request's or legal matter's history must not read the whole audit trail.
    from sqlalchemy import select

    from console.store.models import AuditEvent

    db = open_database(sqlite_url)
    stmt = (
        select(AuditEvent.seq)
        .where(AuditEvent.object_type == "request", AuditEvent.object_id == "7")
        .order_by(AuditEvent.seq.desc())
    )
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    db.dispose()
    assert "ix_audit_events_object" in plan


def test_a_write_that_waits_too_long_for_another_writer_says_the_database_is_busy(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from console.services import accounts
    from console.services.records import sources
    from console.store import db as db_module

    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    db = open_database(sqlite_url)
    admin = accounts.bootstrap_admin(db, "admin", "correct horse battery staple")
    other = sqlite3.connect(tmp_path / "console.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as an import holds it for the length of the file
    try:
        with pytest.raises(db_module.DatabaseBusy, match=r"busy.*Nothing was changed"):
            sources.add_source(db, admin, "CRM", "crm")
        assert sources.list_sources(db, admin) == []  # reads go on meanwhile
    finally:
        other.execute("ROLLBACK")
        other.close()
    sources.add_source(db, admin, "CRM", "crm")
    db.dispose()


def test_a_database_of_the_previous_build_gets_expiring_passwords_and_a_guarded_trail(
    any_url: str,
) -> None:
    """0007 on a database made at 0006: accounts keep signing in; PostgreSQL refuses TRUNCATE."""
    from alembic import command

    from console.services import accounts

    db = open_database(any_url)
    accounts.bootstrap_admin(db, "admin", "correct horse battery staple")
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_audit_object_index")
    db.dispose()
    db = open_database(any_url)  # the upgrade an older database gets when it is opened
    assert db.open_report.upgraded_from == ("0006_audit_object_index",)
    assert accounts.authenticate(db, "admin", "correct horse battery staple").name == "admin"
    assert db.team is None
    if db.dialect == "postgresql":
        from sqlalchemy.exc import DBAPIError

        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_events"))
    db.dispose()
