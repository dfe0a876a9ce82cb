"""Team mode on PostgreSQL's own security: each desk is its own database role, and the server
refuses what the console refuses, even to someone who bypasses the console with psql."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from console.domain.auditchain import verify_chain
from console.domain.permissions import Role
from console.errors import ConflictError, PermissionDenied, ValidationError
from console.services import accounts, audit, policy
from console.services.context import Actor
from console.services.records import sources
from console.services.reporting import catalogue as reports
from console.store import audit_log, team_grants
from console.store.db import Database, SignInRefused, open_database
from console.store.schema import metadata
from tests.fixtures import PASSWORD, TeamServer

Desk = tuple[Database, Actor]


@pytest.fixture
def team(team_server: TeamServer) -> tuple[TeamServer, dict[Role, Desk]]:
    """A team database with one signed-in desk per console role."""
    admin_db, ada, _ = team_server.set_up()
    desks: dict[Role, Desk] = {Role.ADMIN: (admin_db, ada)}
    for role, short in (
        (Role.PRIVACY_OFFICER, "olivia"),
        (Role.LEGAL, "leo"),
        (Role.AUDITOR, "aud"),
    ):
        desks[role] = team_server.desk_user(ada, admin_db, role, short)
    return team_server, desks


def _raw(server: TeamServer, role: str) -> psycopg.Connection:
    """A plain connection as a desk role: what someone with psql and their own login can do."""
    url = server.url_for(role).replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True)


ATTACKS = {
    "make oneself admin": "UPDATE users SET role = 'admin'",
    "add an account": "INSERT INTO users (name, full_name, role, password_hash, "
    "must_change_password, active, failed_logins, created_at, version) "
    "VALUES ('mallory', '', 'admin', '', false, true, 0, now(), 1)",
    "append an event": "INSERT INTO audit_events VALUES "
    "(999, 'x', 'x', 'report.export', '', '', '{}', 'x', 'x')",
    "edit an event": "UPDATE audit_events SET actor = 'mallory'",
    "delete events": "DELETE FROM audit_events WHERE seq > 1",
    "truncate the trail": "TRUNCATE audit_events",
    "alter a table": "ALTER TABLE audit_events ADD COLUMN note text",
    "disable the trail's triggers": "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "skip every trigger": "SET session_replication_role = replica",
    "truncate records": "TRUNCATE records CASCADE",
    "drop a table": "DROP TABLE settings",
    "create a look-alike table": "CREATE TABLE console_fake (id int)",
    "chain a made-up event": "SELECT console_append('mallory', 'report.export', '', '', '{}')",
    "change the team set-up": "UPDATE team_setup SET role_prefix = 'x'",
}


@pytest.mark.parametrize("role", list(Role))
def test_every_desk_role_is_refused_the_attacks_on_users_and_the_trail(
    team: tuple[TeamServer, dict[Role, Desk]], role: Role
) -> None:
    server, desks = team
    _, actor = desks[role]
    with _raw(server, actor.name) as conn:
        before = conn.execute("SELECT count(*), max(hash) FROM audit_events").fetchone()
        allowed = []
        for what, sql in ATTACKS.items():
            try:
                conn.execute(sql)
            except psycopg.errors.InsufficientPrivilege:
                continue
            allowed.append(what)
        assert not allowed, f"{role.value} was allowed to: {allowed}"
        assert conn.execute("SELECT count(*), max(hash) FROM audit_events").fetchone() == before


@pytest.mark.parametrize("role", list(Role))
def test_no_desk_can_set_role_to_the_owner_or_another_group(
    team: tuple[TeamServer, dict[Role, Desk]], role: Role
) -> None:
    server, desks = team
    _, actor = desks[role]
    others = [g for r, g in server_groups(server).items() if r is not role]
    with _raw(server, actor.name) as conn:
        for target in (server.owner, *others):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f'SET ROLE "{target}"')


def server_groups(server: TeamServer) -> dict[Role, str]:
    from console.store.team import group_names

    return group_names(server.prefix)


def test_a_desk_holds_exactly_the_privileges_its_role_maps_to(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    """What the server reports for each group equals the permission matrix's table map."""
    server, desks = team
    admin_db, _ = desks[Role.ADMIN]
    tables = [t.name for t in metadata.sorted_tables] + ["alembic_version"]
    with admin_db.engine.connect() as conn:
        for role, group in server_groups(server).items():
            expected = team_grants.table_privileges(role)
            for table in tables:
                held = {
                    p
                    for p in (
                        "SELECT",
                        "INSERT",
                        "UPDATE",
                        "DELETE",
                        "TRUNCATE",
                        "REFERENCES",
                        "TRIGGER",
                    )
                    if conn.execute(
                        text("SELECT has_table_privilege(:g, :t, :p)"),
                        {"g": group, "t": table, "p": p},
                    ).scalar()
                }
                wanted = {p for p in expected.get(table, ()) if " " not in p}
                assert held == wanted, f"{group} on {table}: {sorted(held)} != {sorted(wanted)}"
            owner_of = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE tableowner = :g"), {"g": group}
            ).scalar()
            assert owner_of == 0


def test_every_table_of_the_schema_has_a_place_in_the_grant_map() -> None:
    """A new table without grants would be unusable in team mode: the map must name it."""
    mapped = set(team_grants.BASE) | team_grants.UNREADABLE
    for needs in team_grants.NEEDS.values():
        mapped |= set(needs)
    missing = {t.name for t in metadata.sorted_tables} - mapped
    assert not missing, f"tables no role may use in team mode: {sorted(missing)}"


def test_the_audit_chain_made_by_the_server_verifies_and_names_each_desk(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    server, desks = team
    officer_db, officer = desks[Role.PRIVACY_OFFICER]
    sources.add_source(officer_db, officer, "CRM", "crm")
    auditor_db, auditor = desks[Role.AUDITOR]
    result = audit.verify(auditor_db, auditor)
    assert result.ok, result.summary()
    events = audit.list_events(auditor_db, auditor)
    assert {e.actor for e in events} >= {officer.name, auditor.name, server.owner}
    created = next(e for e in events if e.action == "source.create")
    assert created.actor == officer.name


def test_a_desk_cannot_append_events_in_someone_elses_name_or_reserved_ones(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    server, desks = team
    _, officer = desks[Role.PRIVACY_OFFICER]
    with _raw(server, officer.name) as conn:
        seq = conn.execute(
            "SELECT console_audit_append('note', 'x', '1', '{\"by\":\"admin\"}')"
        ).fetchone()
        actor = conn.execute("SELECT actor FROM audit_events WHERE seq = %s", seq).fetchone()
        assert actor == (officer.name,)  # the server took the name from the login
        with pytest.raises(psycopg.DatabaseError, match="only by the server"):
            conn.execute("SELECT console_audit_append('user.role_change', 'user', '1', '{}')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT console_user_add('eve', '', 'admin', 'SCRAM-SHA-256$x', now())")


def test_user_management_goes_through_the_server_and_keeps_roles_in_step(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    server, desks = team
    admin_db, ada = desks[Role.ADMIN]
    _, leo = desks[Role.LEGAL]
    groups = server_groups(server)

    def member_of(name: str) -> set[str]:
        with admin_db.engine.connect() as conn:
            return {
                g
                for g in groups.values()
                if conn.execute(
                    text("SELECT pg_has_role(:u, :g, 'MEMBER')"), {"u": name, "g": g}
                ).scalar()
            }

    def can_login(name: str) -> bool:
        with admin_db.engine.connect() as conn:
            return bool(
                conn.execute(
                    text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": name}
                ).scalar()
            )

    assert member_of(leo.name) == {groups[Role.LEGAL]}
    accounts.change_role(admin_db, ada, leo.id or 0, Role.AUDITOR)
    assert member_of(leo.name) == {groups[Role.AUDITOR]}
    accounts.set_active(admin_db, ada, leo.id or 0, False)
    assert member_of(leo.name) == set() and not can_login(leo.name)
    with pytest.raises(SignInRefused):
        open_database(server.url_for(leo.name))
    accounts.set_active(admin_db, ada, leo.id or 0, True)
    assert member_of(leo.name) == {groups[Role.AUDITOR]} and can_login(leo.name)
    accounts.reset_password(admin_db, ada, leo.id or 0)
    assert member_of(leo.name) == set()  # a one-time password can only change itself
    actions = [e.action for e in audit.list_events(admin_db, ada)][-4:]
    assert actions == ["user.role_change", "user.disable", "user.enable", "user.password_reset"]


def test_a_new_desk_on_its_one_time_password_can_do_nothing_but_change_it(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    server, desks = team
    admin_db, ada = desks[Role.ADMIN]
    info, otp = accounts.add_user(admin_db, ada, server.name("nina"), Role.PRIVACY_OFFICER)
    desk = server.open(server.url_for(info.name))
    nina = accounts.authenticate(desk, info.name, otp)
    assert accounts.must_change_password(desk, nina)
    with pytest.raises(PermissionDenied):
        sources.list_sources(desk, nina)
    with _raw(server, info.name) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM records")
    accounts.change_own_password(desk, nina, otp, PASSWORD)
    assert sources.list_sources(desk, accounts.authenticate(desk, info.name, PASSWORD)) == []


def test_server_side_account_rules_hold_as_in_single_desk_mode(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    server, desks = team
    admin_db, ada = desks[Role.ADMIN]
    with pytest.raises(ValidationError, match="last admin"):
        accounts.change_role(admin_db, ada, ada.id or 0, Role.AUDITOR)
    with pytest.raises(ValidationError, match="already has a role"):
        accounts.add_user(admin_db, ada, server.owner, Role.AUDITOR)
    with pytest.raises(ValidationError, match="also a database role"):
        accounts.add_user(admin_db, ada, server.name("zoë"), Role.AUDITOR)
    _, olivia = desks[Role.PRIVACY_OFFICER]
    seen = accounts.find_user(admin_db, ada, olivia.name)
    accounts.change_role(admin_db, ada, olivia.id or 0, Role.LEGAL, expected_version=seen.version)
    with pytest.raises(ConflictError, match=r"changed by .*user\.role_change"):
        accounts.set_active(admin_db, ada, olivia.id or 0, False, expected_version=seen.version)


def test_a_demoted_desk_loses_its_powers_at_once_even_outside_the_console(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    server, desks = team
    admin_db, ada = desks[Role.ADMIN]
    officer_db, olivia = desks[Role.PRIVACY_OFFICER]
    with _raw(server, olivia.name) as conn:
        conn.execute("SELECT count(*) FROM records")
        accounts.change_role(admin_db, ada, olivia.id or 0, Role.AUDITOR)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM records WHERE search_text <> ''")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO sources (name, kind) VALUES ('x', 'crm')")
    with pytest.raises(PermissionDenied, match="role changed"):
        sources.add_source(officer_db, olivia, "CRM", "crm")


def _work_of_each_role(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[Role, Callable[[Database, Actor], object]]:
    from console.services.demo import requests as demo_requests
    from console.services.records import batches as import_batches
    from console.services.records import imports
    from console.services.records import search as records
    from console.services.requests import fulfil as work
    from console.services.requests import lifecycle as dsr
    from tests.unit.services.records_data import write_csv

    def officer(db: Database, actor: Actor) -> object:
        sources.add_source(db, actor, "Shop", "crm")
        csv = write_csv(
            tmp / "shop.csv",
            ["Customer ID", "Email", "Name"],
            [["C-1", "jane.doe@example.com", "Jane Doe"], ["C-2", "bob@example.com", "Bob Roe"]],
        )
        mapping = {
            "columns": {
                "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
                "Email": {"identifier": "email", "category": "contact.email"},
                "Name": {"identifier": "name", "category": "contact.name"},
            },
            "record_key": ["Customer ID"],
        }
        from console.importers.mapping import Mapping

        assert (
            imports.run_import(
                db, actor, csv, "Shop", Mapping.from_json(mapping, source_name="Shop")
            ).rows_imported
            == 2
        )
        assert records.search_ids(db, actor, "jane")
        demo_requests.load_demo(db, {Role.PRIVACY_OFFICER: actor})
        view = dsr.create_request(
            db,
            actor,
            dsr.Intake(
                request_type="deletion",
                law="gdpr",
                country="DE",
                received_on=__import__("datetime").date.today(),
                emails=("jane.doe@example.com",),
                name="Jane Doe",
                channel="web_form",
            ),
        )
        view = dsr.verify_identity(db, actor, view.id, "account login", "SSO-1")
        assert work.find_records(db, actor, view.id).strong == 1
        erased = work.fulfil(db, actor, view.id, tmp / "out")
        assert len(erased.erased) == 1
        extra = write_csv(
            tmp / "extra.csv",
            ["Customer ID", "Email", "Name"],
            [["C-9", "late@example.com", "Late Row"]],
        )
        batch = imports.run_import(
            db, actor, extra, "Shop", Mapping.from_json(mapping, source_name="Shop")
        )
        assert import_batches.undo_batch(db, actor, batch.batch_id) == 1
        return reports.run_report(db, actor, "dsr-register", "xlsx", tmp / "register.xlsx")

    def legal(db: Database, actor: Actor) -> object:
        from console.services.demo import legal as demo_legal

        # The officer imported the sample sources at their own desk; productions go to tmp.
        monkeypatch.setattr(demo_legal, "import_sample_records", lambda *_a, **_k: {})
        monkeypatch.setattr(demo_legal, "_production_folder", lambda _db: tmp / "productions")
        summary = demo_legal.load_demo(db, {Role.LEGAL: actor, Role.PRIVACY_OFFICER: actor})
        assert "1 production" in summary
        return reports.run_report(db, actor, "legal-register", "pdf", tmp / "legal.pdf")

    def auditor(db: Database, actor: Actor) -> object:
        assert audit.verify(db, actor).ok
        for name in ("audit-trail", "dsr-register", "transparency", "sources"):
            reports.run_report(db, actor, name, "xlsx", tmp / f"{name}.xlsx")
        with pytest.raises(PermissionDenied):
            sources.add_source(db, actor, "Shadow", "crm")
        return dsr.list_requests(db, actor) if hasattr(dsr, "list_requests") else None

    def admin(db: Database, actor: Actor) -> object:
        policy.ensure_default_pack(db, actor)
        info, _ = accounts.add_user(db, actor, actor.name[:12] + "x", Role.AUDITOR)
        accounts.change_role(db, actor, info.id, Role.LEGAL)
        accounts.reset_password(db, actor, info.id)
        accounts.set_active(db, actor, info.id, False)
        return reports.run_report(db, actor, "audit-trail", "pdf", tmp / "trail.pdf")

    return {
        Role.PRIVACY_OFFICER: officer,
        Role.LEGAL: legal,
        Role.AUDITOR: auditor,
        Role.ADMIN: admin,
    }


def test_every_console_role_still_does_its_work_as_its_own_database_role(
    team: tuple[TeamServer, dict[Role, Desk]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.services.demo import legal as demo_legal

    _, desks = team
    officer_db, officer = desks[Role.PRIVACY_OFFICER]
    demo_legal.import_sample_records(officer_db, officer, tmp_path / "legal-sources")
    work = _work_of_each_role(tmp_path, monkeypatch)
    for role in (Role.PRIVACY_OFFICER, Role.LEGAL, Role.AUDITOR, Role.ADMIN):
        db, actor = desks[role]
        work[role](db, actor)
    with desks[Role.AUDITOR][0].read() as s:
        result = verify_chain(audit_log.stream(s))
    assert result.ok, result.summary()
    actors = {e.actor for e in audit.list_events(*desks[Role.AUDITOR])}
    assert {a.name for _, a in desks.values()} <= actors


def test_report_verify_trusts_the_server_made_chain_and_refuses_a_forged_event(
    team: tuple[TeamServer, dict[Role, Desk]], tmp_path: Path
) -> None:
    import hashlib
    import json

    server, desks = team
    officer_db, officer = desks[Role.PRIVACY_OFFICER]
    auditor_db, auditor = desks[Role.AUDITOR]
    out = tmp_path / "sources.pdf"
    reports.run_report(officer_db, officer, "sources", "pdf", out)
    check = reports.verify_report(auditor_db, auditor, out)
    assert check.ok and officer.name in check.reason
    # A forged file and an export event for it with a made-up hash: a desk cannot insert one
    # (see the attacks above); the owner, who can, still cannot make it vouch for the file.
    out.write_bytes(out.read_bytes() + b"%forged\n")
    manifest = out.with_name(out.name + ".manifest.json")
    m = json.loads(manifest.read_text())
    m["sha256"], m["size"] = hashlib.sha256(out.read_bytes()).hexdigest(), out.stat().st_size
    manifest.write_text(json.dumps(m))
    with _raw(server, server.owner) as conn:
        conn.execute(
            "INSERT INTO audit_events SELECT max(seq) + 1, 'x', %s, 'report.export', 'report', "
            "'sources', %s, repeat('0', 64), repeat('f', 64) FROM audit_events",
            (officer.name, json.dumps({"sha256": m["sha256"]})),
        )
    forged = reports.verify_report(auditor_db, auditor, out)
    assert not forged.ok and "cannot vouch" in forged.reason


def test_a_desk_cannot_upgrade_the_schema_and_is_told_who_can(
    team: tuple[TeamServer, dict[Role, Desk]],
) -> None:
    from console.store.migrate import MigrationError

    server, desks = team
    with _raw(server, server.owner) as conn:  # as if this build were newer than the schema
        conn.execute("UPDATE alembic_version SET version_num = '0006_audit_object_index'")
    _, olivia = desks[Role.PRIVACY_OFFICER]
    with pytest.raises(MigrationError, match=r"only its owner .* team setup"):
        open_database(server.url_for(olivia.name))


@pytest.fixture(scope="module")
def hypothesis_settings():
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )


def test_the_server_computes_the_same_chain_link_as_the_verifier_for_any_text(
    team: tuple[TeamServer, dict[Role, Desk]], hypothesis_settings
) -> None:
    """The server's JSON encoding of an event must be Python's, byte for byte, or every
    event with an unusual character would read as tampered."""
    from hypothesis import given
    from hypothesis import strategies as st

    officer_db, officer = team[1][Role.PRIVACY_OFFICER]
    text_st = st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
    )

    @hypothesis_settings
    @given(
        action=text_st.filter(
            lambda a: a.strip() != "" and not a.startswith(("user.", "team.", "login"))
        ),
        object_id=text_st,
        value=text_st,
    )
    def appended_event_verifies(action: str, object_id: str, value: str) -> None:
        with officer_db.transaction() as s:
            audit.record(s, officer, action, "thing", object_id, {"value": value, "n": 1})

    appended_event_verifies()
    with officer_db.read() as s:
        result = verify_chain(audit_log.stream(s))
    assert result.ok, result.summary()
