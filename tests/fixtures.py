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


class TeamServer:
    """A console database in team mode on the real server, with roles unique to one test.

    Roles are cluster-wide and other test runs share the server: every role made here (owner,
    groups, desks) starts with a prefix of its own, and all of them are dropped afterwards.
    """

    def __init__(self, server_url: str, *, owner_password: str | None = None) -> None:
        tag = uuid.uuid4().hex[:10]
        self.prefix = f"t{tag}_"
        self.owner = f"t{tag}_owner"
        self.schema = f"t_{tag}"
        self._server = make_url(server_url)
        self._open: list[Database] = []
        engine = create_engine(server_url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE ROLE "{self.owner}" LOGIN CREATEROLE'))
            if owner_password:
                quoted = owner_password.replace("'", "''")
                conn.execute(text(f"ALTER ROLE \"{self.owner}\" PASSWORD '{quoted}'"))
            conn.execute(text(f'CREATE SCHEMA "{self.schema}" AUTHORIZATION "{self.owner}"'))
        engine.dispose()
        self.owner_url = self.url_for(self.owner, owner_password)

    def url_for(self, role: str, password: str | None = None) -> str:
        url = self._server.set(username=role, password=password).update_query_dict(
            {"options": f"-csearch_path={self.schema},public"}
        )
        return url.render_as_string(hide_password=False)

    @property
    def desk_url(self) -> str:
        """The URL a site configuration would lock: the server and database, no user name."""
        from sqlalchemy.engine import URL

        base = self._server
        url = URL.create(
            base.drivername,
            host=base.host,
            port=base.port,
            database=base.database,
            query={**base.query, "options": f"-csearch_path={self.schema},public"},
        )
        return url.render_as_string(hide_password=False)

    def name(self, short: str) -> str:
        """A user name unique to this test (database roles are shared by every test run)."""
        return f"{self.prefix}{short}"

    def open(self, url: str) -> Database:
        return self.track(open_database(url))

    def track(self, database: Database) -> Database:
        """Dispose of this database (opened elsewhere) with the others at the end."""
        self._open.append(database)
        return database

    def set_up(self, admin: str = "ada") -> tuple[Database, Actor, str]:
        """Migrate and set up team mode as the owner; sign the first admin in at its desk."""
        from console.services import team_mode

        owner_db = self.open(self.owner_url)
        report = team_mode.setup(owner_db, prefix=self.prefix, admin=self.name(admin))
        otp = report.new_logins[self.name(admin)]
        assert otp is not None
        desk, actor = self.first_sign_in(self.name(admin), otp)
        return desk, actor, otp

    def first_sign_in(self, name: str, otp: str) -> tuple[Database, Actor]:
        """Connect as the user, choose a password (which joins the role's group), sign in."""
        desk = self.open(self.url_for(name))
        actor = accounts.authenticate(desk, name, otp)
        accounts.change_own_password(desk, actor, otp, PASSWORD)
        return desk, accounts.authenticate(desk, name, PASSWORD)

    def desk_user(
        self, admin: Actor, admin_db: Database, role: Role, short: str
    ) -> tuple[Database, Actor]:
        info, otp = accounts.add_user(admin_db, admin, self.name(short), role)
        return self.first_sign_in(info.name, otp)

    def close(self) -> None:
        for database in self._open:
            database.dispose()
        engine = create_engine(self._server.render_as_string(hide_password=False))
        with engine.begin() as conn:
            roles = [
                r
                for r in conn.execute(
                    text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                    {"p": self.prefix.replace("_", "\\_") + "%"},
                ).scalars()
            ]
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            if roles:
                quoted = ", ".join(f'"{r}"' for r in roles)
                conn.execute(text(f"DROP OWNED BY {quoted} CASCADE"))
                conn.execute(text(f"DROP ROLE {quoted}"))
        engine.dispose()


@pytest.fixture
def team_server(pg_server: str) -> Iterator[TeamServer]:
    server = TeamServer(pg_server)
    try:
        yield server
    finally:
        server.close()


def _pg_bindir() -> Path | None:
    import shutil
    import subprocess

    config = shutil.which("pg_config")
    if config:
        found = subprocess.run([config, "--bindir"], capture_output=True, text=True, check=False)
        if found.returncode == 0 and (Path(found.stdout.strip()) / "initdb").exists():
            return Path(found.stdout.strip())
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


@pytest.fixture(scope="session")
def password_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster that checks passwords (scram-sha-256), started for this
    run only: the shared test server trusts every connection, so it cannot tell a right
    password from a wrong one. Skipped (saying why) where no PostgreSQL binaries can run."""
    import getpass
    import socket
    import subprocess

    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) to start a cluster with")
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a cluster as")
        as_user = ["runuser", "-u", "postgres", "--"]
    import shutil
    import tempfile

    # Not under pytest's basetemp: its folders are private to us, and the cluster runs as
    # postgres when we are root.
    base = Path(tempfile.mkdtemp(prefix="console-pgcluster-"))
    if as_user:
        shutil.chown(base, "postgres")
    data = base / "data"
    superuser = "postgres" if as_user else getpass.getuser()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = [*as_user]
    done = subprocess.run(
        [
            *run,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            superuser,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"initdb failed: {done.stderr.strip()[:200]}")
    hba = data / "pg_hba.conf"
    hba.write_text(
        f"local all {superuser} trust\n"
        f"host all {superuser} 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n",
        encoding="utf-8",
    )
    if as_user:
        shutil.chown(hba, "postgres")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        [
            *run,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "server.log"),
            "-w",
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"the throwaway cluster did not start: {started.stderr.strip()[:200]}")
    url = f"postgresql+psycopg://{superuser}@127.0.0.1:{port}/postgres"
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
        engine.dispose()
        yield url
    finally:
        subprocess.run(
            [*run, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)
