"""Letters to a requester, as PDFs from the law's templates (data/responses/<law>.json):
acknowledgement, extension notice, refusal and completion. Each is delivered through
console.services.outgoing: audited with its SHA-256 and verifiable like a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from console import __version__
from console.domain import request_types, responses
from console.domain.permissions import Permission
from console.errors import ValidationError
from console.reports import Document, Paragraph, Section
from console.reports import document as d
from console.reports.pdf import render_pdf
from console.services import outgoing, policy
from console.services.context import Actor
from console.services.requests.access import authority_for, authority_line, contact_line
from console.services.requests.model import DENIAL_REASONS, LAWS, REQUEST_TYPES, RequestView
from console.services.requests.read import get_request
from console.store.db import Database

LETTER_KINDS = responses.LETTER_KINDS


@dataclass(frozen=True)
class LetterResult:
    request_id: int
    kind: str
    path: Path
    sha256: str
    manifest_path: Path


def _rule(view: RequestView) -> request_types.RequestTypeEntry:
    return request_types.registry().rule_for(view.law, view.request_type, view.received_on)


def kinds_for(view: RequestView) -> list[str]:
    """The letters this request's law has, in the order they are usually sent."""
    law = responses.for_law(view.law)
    out = [k for k in LETTER_KINDS if k in law.letters]
    if _rule(view).extension is None and "extension" in out:
        out.remove("extension")  # e.g. a CCPA opt-out of sale: 15 business days, no extension
    return out


def letter_kinds(db: Database, actor: Actor, request_id: int) -> list[str]:
    actor.require(Permission.VIEW_DSR)
    return kinds_for(get_request(db, actor, request_id))


def _refuse_kind(view: RequestView, kind: str) -> None:
    available = kinds_for(view)
    if kind in available:
        return
    law = LAWS.get(view.law, view.law)
    shown = ", ".join(available)
    if kind not in LETTER_KINDS:
        raise ValidationError(
            f"There is no letter '{kind}': letters are {', '.join(LETTER_KINDS)}."
        )
    if kind == "extension":
        why = _rule(view).clock.citation.text
        raise ValidationError(
            f"{law} gives no extension for {REQUEST_TYPES[view.request_type].lower()} requests "
            f"({why}), so there is no extension notice to send. Letters for request {view.id}: "
            f"{shown}."
        )
    raise ValidationError(
        f"{law} has no {responses.LETTER_LABELS[kind].lower()} letter. Letters for request "
        f"{view.id}: {shown}."
    )


def _check_state(view: RequestView, kind: str) -> None:
    if kind == "extension" and not any(c.kind == "extend" for c in view.clock):
        raise ValidationError(
            f"Request {view.id} has not been extended: record the extension first (dsr extend "
            f"{view.id} --reason TEXT --told DATE), so the notice states the new date and why."
        )
    if kind == "denial" and view.status != "denied":
        raise ValidationError(
            f"Request {view.id} is {view.status_label.lower()}, not denied: deny it first "
            f"(dsr close {view.id} --outcome denied --reason REASON --text TEXT), so the letter "
            "states the reason."
        )
    if kind == "completion" and view.status != "completed" and not view.fulfilment:
        raise ValidationError(
            f"Request {view.id} is {view.status_label.lower()} and not fulfilled yet: fulfil it "
            "(dsr fulfil) before writing the completion letter."
        )


def _outcome(view: RequestView) -> str:
    """What was done, in the requester's terms (never internal ids, never a legal matter)."""
    f = view.fulfilment
    files = [str(x) for x in f.get("files", [])]
    kind = view.request_type
    if kind in ("access", "portability") and files:
        return (
            "Your personal data, with the information the law requires about how we process "
            "it, is in the enclosed files: " + ", ".join(files) + "."
        )
    if kind == "deletion":
        erased, held = len(f.get("erased", [])), len(f.get("held", {}))
        text = f"We erased {erased} entr{'y' if erased == 1 else 'ies'} of your personal data."
        if held:
            text += (
                f" We must keep {held} entr{'y' if held == 1 else 'ies'} for now because the "
                "law requires it (a legal obligation to preserve them); they will be erased when "
                "that obligation ends, and we will not use them for anything else."
            )
        return text
    if kind == "correction":
        n = len(f.get("corrected", []))
        return (
            f"We corrected {n} entr{'y' if n == 1 else 'ies'} of your personal data as you asked."
        )
    if kind in ("opt-out-marketing", "opt-out-sale", "withdraw-consent", "limit-spi"):
        return (
            "We have recorded your choice and passed it to the systems concerned, so that it "
            "keeps being honoured. It changes only what you asked us to stop; you may still ask "
            "us for a copy of your data or to delete it."
        )
    return "We have dealt with your request as described in our earlier correspondence."


def _category(code: str | None) -> str:
    info = request_types.registry().reasons.get(code or "")
    return info.ccpa_7102 if info else ""


def _facts(view: RequestView) -> dict[str, str]:
    return {
        "denial_reason": view.denial_reason or "",
        # The §7102(a)(2) category of the ground (exempt, not_verifiable, ...), from the registry.
        "denial_category": _category(view.denial_reason),
        "request_type": view.request_type,
        "held": "yes" if view.fulfilment.get("held") else "no",
        "identity": "verified" if view.identity_method else "pending",
    }


def _values(
    view: RequestView, organisation: str, office: str, contact: str, authority: str, today: dt.date
) -> dict[str, str]:
    extension = [c for c in view.clock if c.kind == "extend"]
    return {
        "organisation": organisation,
        "office": office,
        "contact": contact,
        "name": view.requester_name or "Sir or Madam",
        "reference": f"DSR-{view.id}",
        "received": view.received_on.isoformat(),
        "due": view.due_on.isoformat(),
        "original_due": view.original_due_on.isoformat(),
        "ack_by": view.acknowledge_by.isoformat() if view.acknowledge_by else "",
        "request_type": REQUEST_TYPES.get(view.request_type, view.request_type).lower(),
        "law": LAWS.get(view.law, view.law),
        "today": today.isoformat(),
        "extension_reason": extension[-1].reason if extension else "",
        "denial_reason": DENIAL_REASONS.get(view.denial_reason or "", ""),
        "denial_text": view.denial_text,
        "authority": authority,
        "outcome": _outcome(view),
        "sources": "",
        "records": "",
        "categories": "",
        "appeal_contact": contact,
    }


def _addressee(view: RequestView) -> str:
    parts = [view.requester_name, view.requester_address]
    parts += [v for k, v in view.identifiers if k == "email"][:1]
    return ", ".join(p for p in parts if p) or "The requester"


def write_letter(
    db: Database,
    actor: Actor,
    request_id: int,
    kind: str,
    out: Path,
    *,
    force: bool = False,
    today: dt.date | None = None,
) -> LetterResult:
    """Write one letter of the request's law as a PDF at `out`; it is audited before it appears."""
    from console.services.reporting.spec import organisation_identity

    actor.require(Permission.MANAGE_DSR)
    actor.require(Permission.EXPORT_PERSONAL_DATA)
    view = get_request(db, actor, request_id)
    _refuse_kind(view, kind)
    _check_state(view, kind)
    law = responses.for_law(view.law)
    letter = law.letters[kind]
    pack = policy.pack_in_force(db, actor, on=view.received_on)
    contact = contact_line(pack)
    needs_authority = any("$authority" in p.text for p in letter.paragraphs)
    authority = authority_line(authority_for(pack, view.law, required=needs_authority))
    day = today or actor.clock.today()
    values = _values(
        view, pack.organisation.name, pack.organisation.contact, contact, authority, day
    )
    body = responses.render(letter.paragraphs, values, _facts(view))
    org, classification = organisation_identity(db)
    meta = d.ReportMeta(
        organisation=org,
        report_name=f"letter-{kind}",
        title=letter.title,
        parameters={
            "Our reference": f"DSR-{view.id}",
            "To": _addressee(view),
            "From": f"{pack.organisation.contact}, {contact}",
            "Date": day.isoformat(),
        },
        generated_by=org,
        generated_at=actor.clock.now(),
        app_version=__version__,
        classification=classification,
        audience="recipient",
    )
    blocks: list[d.Block] = [Paragraph(t) for t in body]
    blocks.append(Paragraph(f"This letter is sent under {letter.cite}."))
    document = Document(meta, [Section("", blocks)])
    delivered = outgoing.deliver(
        db,
        actor,
        out,
        lambda f: render_pdf(document, f),
        action="dsr.letter",
        object_type="dsr_request",
        object_id=view.id,
        details={"kind": kind, "law": view.law},
        manifest={
            "report": f"letter-{kind}",
            "title": letter.title,
            "organisation": org,
            "classification": classification,
            "format": "pdf",
            "parameters": {"Reference": f"DSR-{view.id}", "Letter": kind},
        },
        force=force,
    )
    return LetterResult(view.id, kind, delivered.path, delivered.sha256, delivered.manifest_path)
