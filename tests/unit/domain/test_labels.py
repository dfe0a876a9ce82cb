"""The label catalogue: every stored code a person can meet has words of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from console.domain import audit_text, clock_ledger, labels, legal, permissions, workflow
from console.domain.request_types import registry

CONSOLE = Path(__file__).resolve().parents[3] / "console"


def _audit_actions_in_code() -> set[str]:
    """Every audit action the code can write: string constants passed as the action of record()
    or audit_log.append(), with the f-string families expanded from their enums."""
    found: set[str] = set()
    for path in CONSOLE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            candidates = [kw.value for kw in node.keywords if kw.arg == "action"]
            if name in ("record", "append"):
                candidates += node.args[2:3]
            for c in candidates:
                # argparse's action="append" and the like are not audit actions (no dot).
                text = c.value if isinstance(c, ast.Constant) else None
                if isinstance(text, str) and ("." in text or text == "login"):
                    found.add(text)
    found |= {f"dsr.clock.{k.value}" for k in clock_ledger.EntryKind}
    found |= {"records.import_failed", "records.import_cancelled", "team.setup"}
    return found


def test_every_audit_action_the_code_writes_has_a_label() -> None:
    actions = _audit_actions_in_code()
    assert len(actions) > 50  # the scan sees the trail's actions, not nothing
    missing = sorted(a for a in actions if not labels.known("action", a))
    assert missing == []


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("status", [s.value for s in (*workflow.DsrStatus, *workflow.LegalStatus)]),
        ("role", [r.value for r in permissions.Role]),
        ("process", [p.value for p in legal.ProcessType]),
        ("decision", [d.value for d in legal.Decision]),
        ("notice", [n.value for n in legal.NoticeDecision]),
        ("clock", [k.value for k in clock_ledger.EntryKind]),
        ("law", list(registry().laws)),
        ("request_type", list(registry().types)),
        ("denial_reason", list(registry().reasons)),
        ("channel", list(labels.CHANNELS)),
        ("action", list(labels.ACTIONS)),
    ],
)
def test_every_code_of_a_kind_has_a_label_that_reads_as_words(kind: str, codes: list[str]) -> None:
    assert codes
    for code in codes:
        assert labels.known(kind, code), (kind, code)
        text = labels.label(kind, code)
        assert text and text != code, (kind, code)
        assert labels.code_looking(text) == [], (kind, code, text)


def test_labels_come_from_where_the_codes_are_defined() -> None:
    assert labels.label("status", "in_progress") == workflow.DsrStatus.IN_PROGRESS.label
    assert labels.label("law", "ccpa") == registry().law_label("ccpa")
    assert labels.label("decision", "no_data") == "No data found"
    assert labels.label("channel", "authorised_agent") == "Authorised agent"
    assert labels.label("identifier", "other:loyalty") == "Identifier (loyalty)"


def test_an_uncatalogued_code_is_read_out_in_words_never_shown_as_stored() -> None:
    assert labels.label("status", "waiting_on_vendor") == "Waiting on vendor"
    assert labels.label("action", "records.reindex") == "Records reindex"
    assert labels.label("law", None) == ""
    assert labels.labels("identifier", ["email", "customer_id"]) == "E-mail, Customer ID"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("Request 23 moved to In progress", []),
        ("status in_progress", ["in_progress"]),
        ("dsr.status by olivia", ["dsr.status"]),
        ('{"from": "received"}', ['{"from":']),
        ("status: ['received', 'review']", ["['received'"]),
        ("checked: True", ["True"]),
        ("Write to dpo@clientpay.example.com or see report.pdf", []),
        ("See https://ico.org.uk/make_a_complaint for details", []),
    ],
)
def test_code_looking_finds_stored_codes_and_spares_addresses(
    text: str, fragments: list[str]
) -> None:
    assert labels.code_looking(text) == fragments


def test_a_status_change_reads_as_a_sentence_with_labelled_fields() -> None:
    told = audit_text.describe(
        "olivia",
        "dsr.status",
        "dsr_request",
        "23",
        {"from": "received", "to": "identity_verification", "note": "ID checked"},
    )
    assert told.sentence == "olivia moved Request 23 from Received to Verifying identity"
    assert told.fields == (("Note", "ID checked"),)


def test_objects_are_named_as_users_know_them() -> None:
    def namer(object_type: str, object_id: str) -> str | None:
        return {"user": {"4": "Olivia Officer"}}.get(object_type, {}).get(object_id)

    told = audit_text.describe("admin", "user.role_change", "user", 4, {"role": "legal"}, namer)
    assert told.sentence == "admin: Changed a user's role (Olivia Officer)"
    assert told.fields == (("Role", permissions.Role.LEGAL.label),)
    assert audit_text.object_name("legal_request", "7") == "LR-7"
    assert audit_text.object_name("import_batch", "3") == "Import 3"


def test_details_never_read_as_python_values_or_json() -> None:
    told = audit_text.describe(
        "legal",
        "legal.assign",
        "legal_request",
        "5",
        {"counsel": "legal", "status": ["received", "under_review"]},
    )
    assert told.sentence == "legal assigned LR-5 to legal"
    assert told.fields == (("Status", "Received → Under legal review"),)
    ticked = audit_text.describe(
        "legal", "legal.checklist", "legal_request", "5", {"checked": True, "item": "authority"}
    )
    assert ticked.sentence.startswith("legal ticked “Issued by an authority")
    produce = audit_text.describe(
        "legal",
        "legal.produce",
        "legal_request",
        "1",
        {"manifest_sha256": "f" * 64, "override": False, "records": 1200},
    )
    assert dict(produce.fields) == {
        "Manifest fingerprint": "ffffffffffff…",
        "Scope overridden": "No",
        "Records": "1,200",
    }
    for text in (told.sentence, told.details_text(), produce.details_text()):
        assert labels.code_looking(text) == []


def test_a_refusal_names_the_permission_in_words() -> None:
    from console.domain.permissions import Permission, denied_message

    for permission in Permission:
        assert labels.code_looking(denied_message("audrey (Auditor)", permission)) == []
    assert denied_message("audrey", Permission.MANAGE_DSR) == (
        "audrey may not do this: it takes permission to work on data-subject requests."
    )
