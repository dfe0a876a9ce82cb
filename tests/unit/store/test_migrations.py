from __future__ import annotations

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
