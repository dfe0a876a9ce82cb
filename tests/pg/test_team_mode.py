"""Team mode on the real PostgreSQL server: several desks, one database, no silent overwrites."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from console.domain.auditchain import verify_chain
from console.domain.permissions import Role
from console.errors import ConflictError
from console.services import accounts
from console.services.context import Actor
from console.store import audit_log
from console.store.db import Database, open_database
from console.store.models import User
from console.store.versioning import check_version, flush_or_conflict

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desks(any_admin: Actor, any_url: str, any_db: Database):
    """Two desks (two engines, as two machines would have) on the same PostgreSQL database."""
    if not any_url.startswith("postgresql"):
        pytest.skip("team mode is PostgreSQL")
    other = open_database(any_url)
    yield any_db, other
    other.dispose()


pytestmark = pytest.mark.parametrize("any_url", ["pg"], indirect=True)


def test_a_stale_save_is_a_conflict_naming_who_changed_it(desks, any_admin: Actor) -> None:
    desk_a, desk_b = desks
    info, _ = accounts.add_user(desk_a, any_admin, "olivia", Role.PRIVACY_OFFICER)
    bob_info, _ = accounts.add_user(desk_a, any_admin, "bob", Role.ADMIN)
    bob = Actor(bob_info.id, "bob", Role.ADMIN)
    seen = next(u for u in accounts.list_users(desk_b, bob) if u.name == "olivia").version

    accounts.change_role(desk_a, any_admin, info.id, Role.LEGAL, expected_version=info.version)
    with pytest.raises(ConflictError, match=r"changed by admin \(user.role_change") as exc:
        accounts.set_active(desk_b, bob, info.id, False, expected_version=seen)
    assert "Reload" in str(exc.value)
    after = next(u for u in accounts.list_users(desk_a, any_admin) if u.name == "olivia")
    assert after.active and after.role == Role.LEGAL  # bob's stale save changed nothing


def test_two_saves_racing_in_flight_never_overwrite_each_other(desks, any_admin: Actor) -> None:
    desk_a, desk_b = desks
    info, _ = accounts.add_user(desk_a, any_admin, "olivia", Role.PRIVACY_OFFICER)
    a_loaded, a_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def desk_a_edit() -> None:
        try:
            with desk_a.transaction() as s:
                user = s.get(User, info.id)
                assert user is not None
                check_version(s, user, info.version, object_type="user", what="The account")
                user.full_name = "Olivia from desk A"
                flush_or_conflict(s, object_type="user", object_id=user.id, what="The account")
                a_loaded.set()
                a_may_commit.wait(10)
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)

    thread = threading.Thread(target=desk_a_edit)
    thread.start()
    assert a_loaded.wait(10)
    # Desk B read the same version; its UPDATE waits on desk A's row lock, then finds it stale.
    timer = threading.Timer(0.5, a_may_commit.set)
    timer.start()
    with pytest.raises(ConflictError, match=r"changed by"):
        accounts.set_active(desk_b, any_admin, info.id, False, expected_version=info.version)
    thread.join()
    timer.cancel()
    assert not errors
    final = next(u for u in accounts.list_users(desk_a, any_admin) if u.name == "olivia")
    assert final.active and final.version == info.version + 1


APPEND_SCRIPT = """
import sys
from console.services.audit import record
from console.services.context import Actor
from console.domain.permissions import Role
from console.store.db import open_database
db = open_database(sys.argv[1])
who = Actor(None, sys.argv[2], Role.ADMIN)
for n in range(int(sys.argv[3])):
    with db.transaction() as s:
        record(s, who, "test.append", "desk", sys.argv[2], {"n": n})
db.dispose()
"""


def test_audit_appends_from_several_processes_keep_the_chain_valid(desks, any_url: str) -> None:
    desk_a, _ = desks
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND_SCRIPT, any_url, f"desk{n}", "40"],
            cwd=ROOT,
            env=dict(os.environ),
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with desk_a.read() as s:
        result = verify_chain(audit_log.stream(s))
    assert result.ok, result.summary()
    assert result.events_checked >= 160


IMPORT_SCRIPT = """
import sys
from console.services import accounts
from console.services.records import imports
from console.store.db import open_database
db = open_database(sys.argv[1])
actor = accounts.authenticate(db, "admin", sys.argv[4])
result = imports.run_import(db, actor, sys.argv[2], sys.argv[3])
print(result.status, result.rows_imported)
db.dispose()
"""


def test_concurrent_imports_from_two_desks_both_land(
    desks, any_admin: Actor, any_url: str, tmp_path: Path
) -> None:
    imports = pytest.importorskip(
        "console.services.records.imports", reason="records import not built yet"
    )
    from console.services.records import sources
    from tests.fixtures import PASSWORD

    assert hasattr(imports, "run_import")
    desk_a, _ = desks
    sources.add_source(desk_a, any_admin, "Shop A", "web_form")
    sources.add_source(desk_a, any_admin, "Shop B", "web_form")
    files = []
    for n in range(2):
        f = tmp_path / f"shop{n}.csv"
        rows = "".join(f"{i},person{i}@shop{n}.example.org\n" for i in range(300))
        f.write_text("id,email\n" + rows, encoding="utf-8")
        files.append(f)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORT_SCRIPT, any_url, str(f), name, PASSWORD],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f, name in zip(files, ("Shop A", "Shop B"), strict=True)
    ]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        assert out.split() == ["completed", "300"], out
    with desk_a.read() as s:
        assert verify_chain(audit_log.stream(s)).ok


def test_two_desks_importing_overlapping_files_into_one_source_both_finish(
    desks, any_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second import waits for the first, then counts the rows they share as present."""
    from sqlalchemy import text

    from console.services.records import imports, sources
    from tests.unit.services.records_data import write_csv

    desk_a, desk_b = desks
    monkeypatch.setattr(imports, "CHUNK_ROWS", 50)
    sources.add_source(desk_a, any_admin, "CRM", "crm")
    header = ["Customer ID", "Email"]
    first = write_csv(
        tmp_path / "a.csv", header, [[f"C{i}", f"p{i}@example.com"] for i in range(300)]
    )
    second = write_csv(
        tmp_path / "b.csv", header, [[f"C{i}", f"p{i}@example.com"] for i in range(200, 400)]
    )
    holding, release = threading.Event(), threading.Event()

    def hold(_rows: int, _fraction: float | None) -> None:
        holding.set()
        release.wait(30)

    results: dict[str, imports.ImportResult] = {}
    a = threading.Thread(
        target=lambda: results.setdefault(
            "a", imports.run_import(desk_a, any_admin, first, "CRM", progress=hold)
        )
    )
    b = threading.Thread(
        target=lambda: results.setdefault("b", imports.run_import(desk_b, any_admin, second, "CRM"))
    )
    a.start()
    assert holding.wait(30)  # A is inside its transaction, holding the source
    b.start()
    with desk_a.engine.connect() as conn:  # B is waiting for A's lock, not failing
        for _ in range(300):
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            if waiting or "b" in results:
                break
            threading.Event().wait(0.1)
    assert waiting and "b" not in results, "the second import did not wait for the first"
    release.set()
    a.join(60)
    b.join(60)
    assert results["a"].status == "completed" and results["a"].rows_imported == 300
    assert results["b"].status == "completed", results["b"].message
    assert (results["b"].rows_imported, results["b"].rows_duplicate) == (100, 100)
    assert sources.get_source(desk_a, any_admin, "CRM").record_count == 400
