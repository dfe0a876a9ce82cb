"""Opening one data-subject request: the view screens show, with legal's non-disclosure flags."""

from __future__ import annotations

from dataclasses import replace

from console.domain.permissions import Permission
from console.errors import PermissionDenied
from console.services.audit import record
from console.services.context import Actor
from console.services.legal.ndo import ndo_flags_for_identifiers
from console.services.requests.model import (
    OBJECT_TYPE,
    RequestView,
    build_view,
    clock_of,
    load_request,
)
from console.store.db import Database


def get_request(db: Database, actor: Actor, request_id: int) -> RequestView:
    """One request with everything about it; viewing the requester's details is audited."""
    actor.require(Permission.VIEW_DSR)
    with db.transaction() as s:
        req = load_request(s, request_id)
        view = build_view(s, req, clock_of(s, req))
        record(s, actor, "dsr.view", OBJECT_TYPE, req.id, {})
    flags = ndo_flags(db, actor, view.identifiers)
    if flags:
        view = replace(view, ndo_flags=flags)
    return view


def ndo_flags(db: Database, actor: Actor, idents: list[tuple[str, str]]) -> list[str]:
    """Warnings from legal (non-disclosure orders naming these identifiers), when legal is there."""
    try:
        return ndo_flags_for_identifiers(db, actor, idents)
    except PermissionDenied:  # a role that may not see legal matters is not told about them
        return []
