"""Fixtures: real SQLite files, real PostgreSQL schemas, signed-in users of each role."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.domain.permissions import Role
from console.services import accounts
from console.services.context import Actor
from console.store.db import Database, open_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True, scope="session")
def _private_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Logs and window settings of the test run go to a temporary folder, never the user's."""
    os.environ["CONSOLE_LOG_DIR"] = str(tmp_path_factory.mktemp("logs"))
    os.environ["CONSOLE_SETTINGS_DIR"] = str(tmp_path_factory.mktemp("settings"))


def _pg_base_url() -> tuple[str, bool]:
    explicit = os.environ.get("CONSOLE_TEST_PG_URL")
    return (explicit or DEFAULT_PG_URL), bool(explicit)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server under test; skipped (saying why) when none is reachable.

    When CONSOLE_TEST_PG_URL is set (as .ci/run does), an unreachable server is a failure.
    """
    url, explicit = _pg_base_url()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except Exception as exc:
        if explicit:
            pytest.fail(f"CONSOLE_TEST_PG_URL is set but the server is unusable: {exc}")
        pytest.skip(f"no PostgreSQL server at {make_url(url).render_as_string()}: {exc}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh schema per test on the real server, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(pg_server)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = make_url(pg_server)
    url = base.update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'console.db'}"


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs the test once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'console.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = open_database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def any_db(any_url: str) -> Iterator[Database]:
    database = open_database(any_url)
    yield database
    database.dispose()


def _make_admin(database: Database) -> Actor:
    return accounts.bootstrap_admin(database, "admin", PASSWORD, full_name="Ada Admin")


@pytest.fixture
def admin(db: Database) -> Actor:
    return _make_admin(db)


@pytest.fixture
def any_admin(any_db: Database) -> Actor:
    return _make_admin(any_db)


UserMaker = Callable[[Role], Actor]


def user_maker(database: Database, admin_actor: Actor) -> UserMaker:
    def make(role: Role, name: str | None = None) -> Actor:
        user_name = name or f"{role.value}-{uuid.uuid4().hex[:6]}"
        info, _otp = accounts.add_user(database, admin_actor, user_name, role)
        accounts.set_password_for_demo(database, user_name, PASSWORD)
        return Actor(info.id, info.name, info.role)

    return make


@pytest.fixture
def make_user(db: Database, admin: Actor) -> UserMaker:
    """Create a signed-in user of a role (password PASSWORD, no forced change)."""
    return user_maker(db, admin)


@pytest.fixture
def any_make_user(any_db: Database, any_admin: Actor) -> UserMaker:
    return user_maker(any_db, any_admin)


CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def run_cli(
    cli_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CliRun:
    """`privacy-console ARGV...` in this process on a fresh SQLite file: (code, stdout, stderr)."""
    from console.cli import main

    monkeypatch.setenv("CONSOLE_DB_URL", cli_db_url)
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
