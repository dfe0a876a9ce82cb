"""Attacks on accounts and the audit trail, tried as an insider would (issue 15): from a team desk's
own database login (psql-style, bypassing the console), with a forged export event, and from a
window left open after its user was demoted or disabled at another desk.

Each attack is recorded with what the attacker got back, for docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import psycopg
import pytest

from console.domain.permissions import Role
from console.errors import AccountChanged
from console.services import accounts, audit, policy
from console.services.context import Actor
from console.services.records import sources
from console.services.reporting import catalogue as reports
from console.store.db import Database
from tests.fixtures import PASSWORD, TeamServer
from tests.reliability.conftest import Measure

# The attacks of the issue, as SQL a desk with its own login could type.
DESK_ATTACKS = {
    "UPDATE users (make oneself admin)": ["UPDATE users SET role = 'admin'"],
    "TRUNCATE the audit trail": ["TRUNCATE audit_events"],
    "disable the trail's triggers, then delete the last events": [
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 12 FROM audit_events)",
    ],
    "skip triggers for the session, then delete": [
        "SET session_replication_role = replica",
        "DELETE FROM audit_events",
    ],
    "SET ROLE to the owner": ["SET ROLE {owner}"],
}


def _attempt(conn: psycopg.Connection, statements: list[str]) -> str:
    """What the server said to the first refused statement ('' if none was refused)."""
    for sql in statements:
        try:
            conn.execute(sql)
        except psycopg.Error as exc:
            return type(exc).__name__ + ": " + str(exc).splitlines()[0]
    return ""


@pytest.mark.pg
@pytest.mark.parametrize("attack", list(DESK_ATTACKS))
def test_a_team_desk_cannot_rewrite_accounts_or_the_trail_with_its_own_login(
    team_server: TeamServer, attack: str, measure: Measure
) -> None:
    admin_db, ada, _ = team_server.set_up()
    officer_db, officer = team_server.desk_user(ada, admin_db, Role.PRIVACY_OFFICER, "olivia")
    for n in range(15):
        sources.add_source(officer_db, officer, f"Source {n}", "crm")
    before = audit.verify(admin_db, ada)
    url = team_server.url_for(officer.name).replace("postgresql+psycopg://", "postgresql://")
    statements = [s.format(owner=f'"{team_server.owner}"') for s in DESK_ATTACKS[attack]]
    with psycopg.connect(url, autocommit=True) as conn:
        refused = _attempt(conn, statements)
    after = audit.verify(admin_db, ada)
    roles = {u.name: u.role for u in accounts.list_users(admin_db, ada)}
    measure(
        scenario="team desk",
        attack=attack,
        refused=refused,
        trail_intact=after.ok,
        events_before=before.events_checked,
        events_after=after.events_checked,
    )
    assert refused.startswith("InsufficientPrivilege"), refused or "nothing was refused"
    assert after.ok and after.events_checked > before.events_checked  # only verify's own event
    assert roles[officer.name] is Role.PRIVACY_OFFICER


def _forge(out: Path) -> str:
    out.write_bytes(out.read_bytes() + b"%forged\n")
    manifest = out.with_name(out.name + ".manifest.json")
    m = json.loads(manifest.read_text())
    m["sha256"], m["size"] = hashlib.sha256(out.read_bytes()).hexdigest(), out.stat().st_size
    manifest.write_text(json.dumps(m))
    return str(m["sha256"])


def test_a_forged_report_export_event_does_not_make_report_verify_accept_a_file(
    any_db: Database, any_admin: Actor, tmp_path: Path, measure: Measure
) -> None:
    """Someone with write access to the trail (a shared login, the owner) appends an export
    event with a made-up hash for a file they changed."""
    from sqlalchemy import text

    policy.ensure_default_pack(any_db, any_admin)
    out = tmp_path / "ropa.pdf"
    reports.run_report(any_db, any_admin, "ropa", "pdf", out)
    sha = _forge(out)
    with any_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, "
                "details, prev_hash, hash) SELECT max(seq) + 1, '2026-01-01T00:00:00+00:00', "
                "'admin', 'report.export', 'report', 'ropa', :d, :p, :h FROM audit_events"
            ),
            {"d": json.dumps({"sha256": sha}), "p": "0" * 64, "h": "f" * 64},
        )
    check = reports.verify_report(any_db, any_admin, out)
    measure(
        scenario="forged report.export",
        database=any_db.dialect,
        accepted=check.ok,
        message=check.reason,
    )
    assert not check.ok and "cannot vouch" in check.reason


@pytest.mark.parametrize("change", ["demoted", "disabled"])
def test_a_window_left_open_loses_the_powers_its_account_lost(
    any_db: Database, any_admin: Actor, change: str, measure: Measure
) -> None:
    accounts.add_user(any_db, any_admin, "bob", Role.ADMIN)
    accounts.set_password_for_demo(any_db, "bob", PASSWORD)
    bob = accounts.authenticate(any_db, "bob", PASSWORD)  # bob's window, still open
    if change == "demoted":
        accounts.change_role(any_db, any_admin, bob.id or 0, Role.AUDITOR)
    else:
        accounts.set_active(any_db, any_admin, bob.id or 0, False)
    with pytest.raises(AccountChanged) as refused:
        accounts.add_user(any_db, bob, "mallory", Role.ADMIN)
    names = [u.name for u in accounts.list_users(any_db, any_admin)]
    denied = audit.list_events(any_db, any_admin)[-1]
    measure(
        scenario="open window",
        change=change,
        database=any_db.dialect,
        message=str(refused.value),
        recorded=denied.action,
    )
    assert "mallory" not in names
    assert (denied.action, denied.actor) == ("access.denied", "bob")
