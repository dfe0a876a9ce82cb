"""`privacy-console team setup`: the group roles, grants and definer functions of team mode, made
by the owner role of the schema (the DBA runs it with the owner's URL). Safe to run again: after
an upgrade it brings the grants and functions up to date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from console.domain.permissions import Role
from console.errors import ConsoleError
from console.store import team_grants, team_sql
from console.store.schema import metadata
from console.store.team import DEFAULT_PREFIX, TeamInfo, group_names, read_setup
from console.store.team_sql import ident, literal

PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,30}")


class TeamSetupError(ConsoleError):
    """Team mode cannot be set up as asked (wrong role, names taken, bad prefix)."""


@dataclass
class SetupReport:
    info: TeamInfo
    first_time: bool
    # Accounts given a database role now, with their one-time password (None: disabled).
    new_logins: dict[str, str | None] = field(default_factory=dict)
    expires_at: datetime | None = None


# (user name, one-time password) -> SCRAM verifier, made on this side of the connection.
Verifier = Callable[[str, str], str]


def check_prefix(prefix: str) -> str:
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise TeamSetupError(
            f"The role prefix '{prefix}' is not usable: start with a letter; then lower-case "
            "letters, digits or _ (at most 31 characters), e.g. console_ or privacy_eu_."
        )
    return prefix


def setup(
    conn: Connection,
    *,
    prefix: str | None,
    admin: str | None,
    expires_at: datetime,
    one_time_password: Callable[[], str],
    verifier: Verifier,
) -> SetupReport:
    """Set up (or bring up to date) team mode, in the caller's transaction on conn."""
    me, schema = conn.execute(text("SELECT current_user, current_schema()")).one()
    _check_owner(conn, me, schema)
    existing = read_setup(conn)
    if existing is not None and prefix is not None and prefix != existing.role_prefix:
        raise TeamSetupError(
            f"Team mode is set up with the role prefix '{existing.role_prefix}'; it cannot "
            f"change to '{prefix}'."
        )
    info = existing or TeamInfo(me, check_prefix(prefix or DEFAULT_PREFIX))
    groups = group_names(info.role_prefix)
    report = SetupReport(info, existing is None, expires_at=expires_at)
    _create_groups(conn, groups, first_time=existing is None)
    _grant(conn, schema, groups)
    for statement in team_sql.functions(schema, groups):
        _run(conn, statement)
    _grant_functions(conn, schema, groups)
    if existing is None:
        conn.execute(
            text(
                "INSERT INTO team_setup (id, owner, role_prefix, set_up_at) "
                "VALUES (1, :owner, :prefix, :at)"
            ),
            {"owner": me, "prefix": info.role_prefix, "at": datetime.now(UTC)},
        )
        _give_accounts_logins(conn, report, admin, one_time_password, verifier)
    elif admin:
        raise TeamSetupError(
            "Team mode is already set up: the administrators add accounts with `user add`."
        )
    details = (
        f'{{"accounts":{len(report.new_logins)},"first":'
        f'{"true" if report.first_time else "false"},"prefix":{_json(info.role_prefix)}}}'
    )
    conn.execute(
        text("SELECT console_append(:me, 'team.setup', 'database', '', :details)"),
        {"me": me, "details": details},
    )
    return report


def _run(conn: Connection, sql: str) -> None:
    """DDL through the driver's cursor without parameters: % in it is plain text (format())."""
    import psycopg

    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    with raw.cursor() as cur:
        cur.execute(sql.encode())


def _json(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _check_owner(conn: Connection, me: str, schema: str) -> None:
    row = conn.execute(
        text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = 'users'"),
        {"s": schema},
    ).first()
    if row is None:
        raise TeamSetupError(f"The schema {schema} has no console tables.")
    if row[0] != me:
        raise TeamSetupError(
            f"Run team setup as the owner of the console's tables ({row[0]}), not as {me}: "
            "give --db the owner's URL."
        )
    may = conn.execute(
        text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not may:
        raise TeamSetupError(
            f"The owner role {me} needs CREATEROLE to make the desks' roles: as a superuser, "
            f"run ALTER ROLE {ident(me)} CREATEROLE; then run team setup again."
        )


def _create_groups(conn: Connection, groups: dict[Role, str], *, first_time: bool) -> None:
    taken = [
        name
        for name in groups.values()
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    ]
    if first_time and taken:
        # Roles are cluster-wide: another console database on this server may use these names,
        # and its members would gain this database's grants.
        raise TeamSetupError(
            f"The server already has roles named {', '.join(taken)} (another console database "
            "on this server?). Choose another prefix with --prefix."
        )
    for name in groups.values():
        if name not in taken:
            _run(conn, f"CREATE ROLE {ident(name)} NOLOGIN")


def _grant(conn: Connection, schema: str, groups: dict[Role, str]) -> None:
    everyone = ", ".join(ident(g) for g in groups.values())
    db_name = conn.execute(text("SELECT current_database()")).scalar_one()
    _run(conn, f"GRANT CONNECT ON DATABASE {ident(db_name)} TO {everyone}")
    # Nobody but the owner creates objects in the console's schema: a desk's own function or
    # table there could stand in for the console's.
    _run(conn, f"REVOKE CREATE ON SCHEMA {ident(schema)} FROM PUBLIC")
    # USAGE only lets a role name what is there; what it may do is granted table by table.
    # PUBLIC, so a desk on its one-time password reaches console_whoami and console_passwd.
    _run(conn, f"GRANT USAGE ON SCHEMA {ident(schema)} TO PUBLIC")
    tables = [t.name for t in metadata.sorted_tables] + ["alembic_version"]
    for table in tables:
        _run(conn, f"REVOKE ALL ON {ident(table)} FROM PUBLIC, {everyone}")
    for role, group in groups.items():
        for table, privileges in team_grants.table_privileges(role).items():
            _run(conn, f"GRANT {', '.join(privileges)} ON {ident(table)} TO {ident(group)}")
    # What any role may read before it is a member of a group (a desk on its one-time
    # password): which schema revision this is, and that it runs in team mode.
    for table in ("alembic_version", "team_setup"):
        _run(conn, f"GRANT SELECT ON {ident(table)} TO PUBLIC")
    sequences = (
        conn.execute(
            text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"
            ),
            {"s": schema},
        )
        .scalars()
        .all()
    )
    writers = [g for r, g in groups.items() if team_grants.writes_sequences(r)]
    for seq in sequences:
        _run(conn, f"REVOKE ALL ON SEQUENCE {ident(seq)} FROM PUBLIC, {everyone}")
        if writers:
            _run(
                conn,
                f"GRANT USAGE, SELECT ON SEQUENCE {ident(seq)} TO "
                + ", ".join(ident(g) for g in writers),
            )


def _grant_functions(conn: Connection, schema: str, groups: dict[Role, str]) -> None:
    managers = ", ".join(ident(groups[r]) for r in Role if r in _manager_roles())
    for signature, who in team_sql.EXECUTE.items():
        name = f"{ident(schema)}.{signature}"
        _run(conn, f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
        if who == "PUBLIC":
            _run(conn, f"GRANT EXECUTE ON FUNCTION {name} TO PUBLIC")
        elif who == "managers":
            _run(conn, f"GRANT EXECUTE ON FUNCTION {name} TO {managers}")


def _manager_roles() -> set[Role]:
    from console.domain.permissions import MATRIX, Permission

    return {r for r in Role if Permission.MANAGE_USERS in MATRIX[r]}


def _give_accounts_logins(
    conn: Connection,
    report: SetupReport,
    admin: str | None,
    one_time_password: Callable[[], str],
    verifier: Verifier,
) -> None:
    """First set-up: every account becomes a login role with a one-time password (shared-login
    databases being moved to team mode), or an empty database gets its first administrator."""
    users = conn.execute(text("SELECT id, name, active FROM users ORDER BY id")).all()
    if admin and users:
        raise TeamSetupError(
            "This database already has accounts: each gets its own login now; leave out --admin."
        )
    if admin:
        conn.execute(
            text(
                "INSERT INTO users (name, full_name, role, password_hash, must_change_password, "
                "active, failed_logins, created_at, version) "
                "VALUES (:n, '', 'admin', '', true, true, 0, now(), 1)"
            ),
            {"n": admin},
        )
        users = conn.execute(text("SELECT id, name, active FROM users ORDER BY id")).all()
        conn.execute(
            text("SELECT console_append(current_user, 'user.create', 'user', :id, :details)"),
            {
                "id": str(users[0][0]),
                "details": f'{{"first":true,"name":{_json(admin)},"role":"admin"}}',
            },
        )
    taken = [
        name
        for _, name, _ in users
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    ]
    if taken:
        raise TeamSetupError(
            f"The server already has roles named {', '.join(taken)}: rename these accounts (or "
            "the roles) before team setup; nothing was changed."
        )
    for user_id, name, active in users:
        if not re.fullmatch(team_sql.NAME_PATTERN.strip("^$"), name):
            raise TeamSetupError(f"The account name '{name}' cannot be a database role.")
        otp = one_time_password()
        login = "LOGIN" if active else "NOLOGIN"
        _run(
            conn,
            f"CREATE ROLE {ident(name)} {login} PASSWORD {literal(verifier(name, otp))} "
            f"VALID UNTIL {literal(report.expires_at.isoformat() if report.expires_at else 'infinity')}",
        )
        db_name = conn.execute(text("SELECT current_database()")).scalar_one()
        _run(conn, f"GRANT CONNECT ON DATABASE {ident(db_name)} TO {ident(name)}")
        # The console's own password hashes end here: the server checks passwords from now on.
        conn.execute(
            text(
                "UPDATE users SET password_hash = '', must_change_password = true, "
                "password_expires_at = :exp, version = version + 1 WHERE id = :id"
            ),
            {"exp": report.expires_at, "id": user_id},
        )
        conn.execute(text("SELECT console_sync_member(:id)"), {"id": user_id})
        report.new_logins[name] = otp if active else None
