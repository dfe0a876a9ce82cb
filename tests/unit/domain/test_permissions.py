from __future__ import annotations

import pytest

from console.domain.permissions import MATRIX, Permission, Role, allows, require
from console.errors import PermissionDenied


def test_the_auditor_can_read_and_verify_but_change_nothing() -> None:
    granted = MATRIX[Role.AUDITOR]
    assert Permission.VERIFY_AUDIT in granted and Permission.VIEW_DSR in granted
    changing = {
        p
        for p in Permission
        if not p.value.endswith((".view", ".verify")) and p not in {Permission.EXPORT_REPORTS}
    }
    assert not (granted & changing)


def test_only_legal_decides_legal_requests() -> None:
    assert [r for r in Role if allows(r, Permission.DECIDE_LEGAL)] == [Role.LEGAL]


def test_a_refusal_names_the_user_and_the_permission() -> None:
    with pytest.raises(
        PermissionDenied, match=r"olga \(Auditor.*permission to manage user accounts"
    ):
        require(Role.AUDITOR, Permission.MANAGE_USERS, user="olga")


def test_only_a_legal_reviewer_releases_a_legal_hold() -> None:
    """Releasing preserved evidence is a legal decision (issue 16): an admin places and renews
    holds to run the installation, but never releases one."""
    assert [r for r in Role if allows(r, Permission.RELEASE_HOLDS)] == [Role.LEGAL]
    assert allows(Role.ADMIN, Permission.MANAGE_HOLDS)
