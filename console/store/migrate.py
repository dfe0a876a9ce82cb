"""Schema migrations with Alembic: applied on open, after a backup; a newer database is refused."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from console.errors import ConsoleError
from console.store.backup import sqlite_backup, timestamped_name
from console.store.schema_version import HEADS

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("db")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class MigrationError(ConsoleError):
    """The database's schema cannot be brought to this build's version."""


class Database(Protocol):
    """What migrating needs of an open database (console.store.db.Database is one)."""

    engine: Engine
    dialect: str

    @property
    def sqlite_path(self) -> Path | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class OpenReport:
    """What opening a database did: the schema it upgraded from, the safety copy, warnings."""

    upgraded_from: tuple[str, ...] | None
    backup_path: Path | None
    warnings: tuple[str, ...] = ()  # shown to the user (e.g. a SQLite file on a network share)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def script_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def stored_revisions(db: Database) -> set[str] | None:
    """The revisions recorded in the database, read without Alembic (None: no version table)."""
    try:
        with db.engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:
        return None


def team_owner(db: Database) -> str | None:
    """The owner role of a PostgreSQL database in team mode (None: not in team mode)."""
    if db.dialect != "postgresql":
        return None
    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT owner FROM team_setup WHERE id = 1")).scalar()
    except DBAPIError:  # a schema from before team mode existed: no such table
        return None


def _current_user(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT current_user")).scalar_one())


def current_revisions(db: Database) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(db: Database, *, allow_upgrade: bool, backup_dir: Path | None) -> OpenReport:
    if stored_revisions(db) == set(HEADS):  # the everyday case: nothing to do, Alembic not loaded
        return OpenReport(None, None)
    current = current_revisions(db)
    unknown = current - known_revisions()
    if unknown:
        raise MigrationError(
            f"This database ({db.describe()}) was written by a newer version of the console "
            f"(schema {', '.join(sorted(unknown))}). Install the newer version to open it."
        )
    heads = script_heads()
    if current == heads:
        return OpenReport(None, None)
    if not allow_upgrade:
        raise MigrationError(
            f"The database ({db.describe()}) needs an upgrade to this version's schema."
        )
    owner = team_owner(db)
    if owner is not None and owner != _current_user(db):
        # In team mode the desks' roles own nothing and may not change the schema.
        raise MigrationError(
            f"The database ({db.describe()}) needs an upgrade to this version's schema, which "
            f"only its owner ({owner}) can make: ask the database administrator to run "
            "`privacy-console --db OWNER-URL team setup`."
        )
    backup_path = None
    path = db.sqlite_path
    if current and path is not None and path.exists():
        # Only an existing database with data in it needs a safety copy before its schema changes.
        target_dir = backup_dir or path.parent / "backups"
        backup_path = sqlite_backup(path, target_dir / timestamped_name(path.stem, "pre-upgrade"))
        log.info("backed up the database before upgrading its schema to %s", backup_path.name)
    from alembic import command

    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    log.info("database schema upgraded from %s", sorted(current) or "empty")
    return OpenReport(tuple(sorted(current)), backup_path)
