from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.domain.policy import PolicyError, default_pack_path
from console.errors import PermissionDenied
from console.services import audit, policy
from console.services.context import Actor
from console.store.db import Database
from tests.fixtures import UserMaker


def _revised_pack(tmp_path: Path, effective: str, version: str) -> Path:
    data = json.loads(default_pack_path().read_text("utf-8"))
    data["effective_date"] = effective
    data["version"] = version
    data["title"] = "ClientPay Privacy Statement (revised)"
    out = tmp_path / f"pack-{version}.json"
    out.write_text(json.dumps(data), "utf-8")
    return out


def test_the_pack_in_force_follows_the_effective_dates(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    policy.ensure_default_pack(any_db, any_admin)
    policy.load_pack_file(any_db, any_admin, _revised_pack(tmp_path, "2026-03-01", "2026-03-01.1"))
    assert policy.pack_in_force(any_db, any_admin, date(2025, 6, 1)).version == "2019-07-02.3"
    assert policy.pack_in_force(any_db, any_admin, date(2026, 3, 1)).version == "2026-03-01.1"
    assert [v.effective_date for v in policy.list_versions(any_db, any_admin)] == [
        "2019-07-02",
        "2026-03-01",
    ]
    assert [e.action for e in audit.list_events(any_db, any_admin)].count("policy.install") == 2


def test_loading_the_same_pack_twice_stores_it_once(db: Database, admin: Actor) -> None:
    first = policy.ensure_default_pack(db, admin)
    assert policy.ensure_default_pack(db, admin) == first
    assert len(policy.list_versions(db, admin)) == 1


def test_a_broken_pack_names_the_field_and_stores_nothing(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    data = json.loads(default_pack_path().read_text("utf-8"))
    data["categories"][2]["id"] = data["categories"][0]["id"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), "utf-8")
    with pytest.raises(PolicyError, match=r"categories\[2\]\.id"):
        policy.load_pack_file(db, admin, bad)
    assert policy.list_versions(db, admin) == []


def test_no_pack_before_the_first_effective_date(db: Database, admin: Actor) -> None:
    policy.ensure_default_pack(db, admin)
    with pytest.raises(Exception, match="No policy pack is in force"):
        policy.pack_in_force(db, admin, date(2019, 7, 1))


def test_only_admins_load_packs(
    db: Database, admin: Actor, make_user: UserMaker, tmp_path: Path
) -> None:
    officer = make_user(Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):
        policy.load_pack_file(db, officer, _revised_pack(tmp_path, "2026-01-01", "x"))
